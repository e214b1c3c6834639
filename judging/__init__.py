"""Judging: rubrics, rounds, judges, conflicts, assignment, scoring, results.

Built on `contest`; the app factory loads it through the PLUGINS setting, so
`contest` itself never imports this package."""


def init_app(app) -> None:
    from contest.models.base import utcnow
    from judging import (
        models,  # noqa: F401 - register the tables with the metadata
        permissions,  # noqa: F401 - register the access rules
    )
    from judging.cli import register_cli
    from judging.views.api import bp as api_bp
    from judging.views.judge import bp as judge_bp
    from judging.views.organize import bp as organize_bp
    from judging.views.results import admin as results_admin_bp
    from judging.views.results import public as results_bp

    for bp in (api_bp, judge_bp, organize_bp, results_admin_bp, results_bp):
        app.register_blueprint(bp)
    register_cli(app)
    from judging.demo import load_judging_demo

    app.extensions.setdefault("demo_loaders", []).append(load_judging_demo)
    from judging.certificates import award_recipients
    from judging.views.results import team_links

    app.extensions.setdefault("certificate_recipients", []).append(award_recipients)
    from judging.reports import report_outcomes

    app.extensions.setdefault("report_outcomes", []).append(report_outcomes)

    app.extensions.setdefault("page_links", {}).setdefault("team", []).append(team_links)
    app.extensions["page_links"].setdefault("manage", []).append(_manage_links)
    app.jinja_env.globals["judging_enabled"] = True
    app.jinja_env.globals["now_iso"] = lambda: utcnow().isoformat()
    app.jinja_env.filters["points"] = format_points


def format_points(value) -> str:
    """7.50 -> "7.5", 20.00 -> "20": scores as people write them."""
    from decimal import Decimal

    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _manage_links(competition) -> list[tuple[str, str]]:
    from flask import url_for
    from flask_babel import gettext as _

    return [(_("Judging"), url_for("organize.index", slug=competition.slug)),
            (_("Awards"), url_for("results_admin.awards_page", slug=competition.slug)),
            (_("Publication"), url_for("results_admin.publish", slug=competition.slug))]
