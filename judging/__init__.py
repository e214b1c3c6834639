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
    from judging.views.votes import admin as votes_admin_bp
    from judging.views.votes import public as votes_bp

    for bp in (api_bp, judge_bp, organize_bp, results_admin_bp, results_bp, votes_admin_bp, votes_bp):
        app.register_blueprint(bp)
    register_cli(app)
    from contest import signals
    from contest.audit_labels import add_action_labels, add_field_labels, add_value_labels
    from judging.audit_labels import ACTION_LABELS, FIELD_LABELS, value_labels
    from judging.views.judge import coming_for, expert_links
    from judging.views.results import competition_progress, team_links
    from judging.views.votes import open_votes

    add_action_labels(app, ACTION_LABELS)
    add_field_labels(app, FIELD_LABELS)
    add_value_labels(app, value_labels())

    signals.demo_loading.connect(_demo, app)
    signals.award_recipients.connect(_award_recipients, app)
    signals.report_outcomes.connect(_report_outcomes, app)
    signals.team_links.connect(team_links, app)
    signals.competition_progress.connect(competition_progress, app)
    signals.manage_links.connect(_manage_links, app)
    signals.nav_links.connect(_nav_links, app)
    signals.expert_links.connect(expert_links, app)
    signals.coming_for.connect(coming_for, app)
    signals.open_votes.connect(open_votes, app)
    app.jinja_env.globals["now_iso"] = lambda: utcnow().isoformat()


# Receivers of contest.signals (see there for what each gets and returns).


def _demo(_app, password_hash: str) -> list[tuple[str, str]]:
    from judging.demo import load_judging_demo

    return load_judging_demo(password_hash)


def _award_recipients(_app, competition) -> list:
    from judging.certificates import award_recipients

    return award_recipients(competition)


def _report_outcomes(_app, competition_ids: list[int]):
    from judging.reports import report_outcomes

    return report_outcomes(competition_ids)


def _nav_links(_app) -> list[tuple[str, str]]:
    from flask import url_for
    from flask_babel import gettext as _

    return [(_("Scoring"), url_for("judge.home"))]


def _manage_links(_app, competition) -> list[tuple[str, str, dict]]:
    from flask_babel import gettext as _

    slug = {"slug": competition.slug}
    return [
        (_("Rounds and judging"), "organize.index", slug),
        (_("Awards"), "results_admin.awards_page", slug),
        (_("Publication"), "results_admin.publish", slug),
        (_("Audience vote"), "votes_admin.index", slug),
    ]
