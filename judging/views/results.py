"""Results: the organizer's pages (compute, freeze, advancement, awards,
publication, ceremony, exports) and the public results page and JSON."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest import cache
from contest.access import access
from contest.domain.competitions import Progress, find_by_slug
from contest.domain.errors import DomainError
from contest.domain.exports import to_csv, to_xlsx
from contest.extensions import db
from contest.forms.base import plausible_year
from contest.forms.teams import ConfirmForm
from contest.i18n import format_moment
from contest.models import Competition, Entry
from contest.models.base import utcnow
from contest.reports.charts import judge_distribution_svg
from contest.request_guard import db_id
from contest.transactions import atomic
from contest.views import visible_or_404
from judging.domain import advancement, awards, publication
from judging.domain import results as results_domain
from judging.domain.counting import Exclusion, conflict_between, sheet_counts
from judging.forms import AwardTierForm
from judging.models import Award, AwardTier, Publication, ResultSnapshot, Round, Score, ScoreSheet

admin = Blueprint("results_admin", __name__, url_prefix="/manage/<slug>/judging")
public = Blueprint("results", __name__)


def _round(slug, round_id) -> Round:
    competition = find_by_slug(slug)
    round_ = db.get_or_404(Round, round_id)
    if competition is None or round_.competition_id != competition.id:
        abort(404)
    return round_


def _back(slug, round_id, page="results_admin.round_results"):
    return redirect(url_for(page, slug=slug, round_id=round_id))


def _do_or_flash(action, success):
    try:
        with atomic():
            action()
    except DomainError as error:
        flash(error.message, "error")
        return False
    flash(success, "success")
    return True


@admin.route("/rounds/<int:round_id>/results")
@access("competition:organizer")
def round_results(slug, round_id):
    round_ = _round(slug, round_id)
    computed = results_domain.compute(round_)
    raw_rank = {s.entry: s.rank for s in computed.raw_standings}
    snapshots = db.session.scalars(
        select(ResultSnapshot).where(ResultSnapshot.round_id == round_.id).order_by(ResultSnapshot.version.desc())
    ).all()
    from judging.domain.judges import judges_of

    names = {j.id: j.user.full_name for j in judges_of(round_.competition)}
    by_rank: dict[int, list] = {}
    for standing in computed.standings:
        by_rank.setdefault(standing.rank, []).append(computed.entries[standing.entry].code)
    code_of = {e.id: e.code for e in computed.entries.values()}
    return render_template(
        "judging/results/round.html",
        competition=round_.competition,
        round=round_,
        results=computed,
        raw_rank=raw_rank,
        snapshots=snapshots,
        judge_names=names,
        methods=results_domain.METHOD_LABELS,
        confirm_form=ConfirmForm(),
        still_tied=[codes for codes in by_rank.values() if len(codes) > 1],
        chair_codes=[code_of[i] for i in round_.chair_order or [] if i in code_of],
    )


@admin.route("/rounds/<int:round_id>/results/method", methods=["POST"])
@access("competition:organizer")
def set_method(slug, round_id):
    round_ = _round(slug, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    tie_breaks = []
    for criterion_id in request.form.getlist("tie_break_criterion", type=int):
        criterion = next((c for c in round_.rubric.criteria if c.id == criterion_id), None)
        if criterion is not None:
            tie_breaks.append({"kind": "criterion", "label": criterion.name, "criterion": criterion.id})
    if request.form.get("tie_break_chair"):
        tie_breaks.append({"kind": "chair_decision", "label": _("Decision of the chair")})
    _do_or_flash(
        lambda: results_domain.set_method(
            round_,
            request.form.get("method", "mean"),
            request.form.get("trim", 0, type=int) or 0,
            request.form.get("min_scores", 3, type=int) or 3,
            tie_breaks,
        ),
        _("The method has been saved."),
    )
    return _back(slug, round_id)


@admin.route("/rounds/<int:round_id>/results/chair-order", methods=["POST"])
@access("competition:organizer")
def chair_order(slug, round_id):
    round_ = _round(slug, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    codes = request.form.get("codes", "").replace(",", "\n").splitlines()
    _do_or_flash(
        lambda: results_domain.set_chair_order(round_, codes, request.form.get("reason", "")),
        _("The chair's decision has been recorded."),
    )
    return _back(slug, round_id)


@admin.route("/rounds/<int:round_id>/results/freeze", methods=["POST"])
@access("competition:organizer")
def freeze(slug, round_id):
    round_ = _round(slug, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _do_or_flash(
        lambda: results_domain.freeze(round_, current_user, request.form.get("reason")),
        _("The results have been frozen."),
    )
    return _back(slug, round_id)


@admin.route("/rounds/<int:round_id>/diagnostics")
@access("competition:organizer")
def diagnostics(slug, round_id):
    round_ = _round(slug, round_id)
    computed = results_domain.compute(round_)
    from judging.domain.judges import judges_of

    names = {j.id: j.user.full_name for j in judges_of(round_.competition)}
    totals = [(j, s.entry, t) for s in computed.raw_standings for j, t in s.judge_totals]
    svg = judge_distribution_svg(
        {names.get(j, str(j)): [t for jj, _e, t in totals if jj == j] for j in sorted({t[0] for t in totals})},
        [t for _j, _e, t in totals],
        panel_label=_("Panel"),
    )
    codes = {re.entry_id: re.entry.code for re in round_.entries}
    stale = computed.stale_snapshot
    frozen = [Exclusion.from_json(x, round_.id) for x in stale.excluded] if stale is not None else []
    return render_template(
        "judging/results/diagnostics.html",
        competition=round_.competition,
        round=round_,
        results=computed,
        svg=svg,
        judge_names=names,
        entry_codes=codes,
        exclusions_frozen=frozen,
    )


@admin.route("/rounds/<int:round_id>/advancement", methods=["GET", "POST"])
@access("competition:organizer")
def advance(slug, round_id):
    round_ = _round(slug, round_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        if request.form.get("action") == "rule":
            _do_or_flash(
                lambda: advancement.set_rule(
                    round_,
                    request.form.get("top_n", type=int),
                    request.form.get("min_total", type=int),
                    bool(request.form.get("no_zero")),
                ),
                _("The rule has been saved."),
            )
        else:
            chosen = set(request.form.getlist("entry", type=int))
            _do_or_flash(
                lambda: advancement.apply(round_, chosen, request.form.get("reason")),
                _("The entries going on have been recorded and their teams told."),
            )
        return _back(slug, round_id, "results_admin.advance")
    boards = {b.id: b.name for b in round_.competition.boards}
    return render_template(
        "judging/results/advancement.html",
        competition=round_.competition,
        round=round_,
        preview=advancement.preview(round_),
        boards=boards,
        confirm_form=ConfirmForm(),
        snapshot=results_domain.current_snapshot(round_),
    )


def _final_snapshot(competition):
    return db.session.scalar(
        select(ResultSnapshot)
        .join(Round)
        .where(Round.competition_id == competition.id, ResultSnapshot.withdrawn_at.is_(None))
        .order_by(Round.position.desc(), ResultSnapshot.version.desc())
    )


@admin.route("/awards", methods=["GET", "POST"])
@access("competition:organizer")
def awards_page(slug):
    competition = find_by_slug(slug)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        action = request.form.get("action")
        if action == "defaults":
            _do_or_flash(lambda: awards.ensure_default_tiers(competition), _("The usual tiers have been added."))
        elif action == "tier":
            tier_form = AwardTierForm()
            if not tier_form.validate():
                return _awards_page(competition, tier_form), 400  # nothing saved; what was typed is kept
            _do_or_flash(
                lambda: awards.add_tier(
                    competition,
                    tier_form.name.data or "",
                    tier_form.count.data or 1,
                    tier_form.prize.data,
                    tier_form.special.data,
                ),
                _("The tier has been added."),
            )
        elif action == "propose":
            snapshot = _final_snapshot(competition)
            if snapshot is None:
                flash(_("Freeze a round's results first."), "error")
            else:
                _do_or_flash(lambda: awards.propose(competition, snapshot), _("Awards proposed from the standings."))
        elif action == "give":
            tier = db.get_or_404(AwardTier, request.form.get("tier", 0, type=db_id))
            entry = db.session.scalar(
                select(Entry).where(
                    Entry.competition_id == competition.id,
                    Entry.code == (request.form.get("code") or "").strip().upper(),
                )
            )
            if tier.competition_id != competition.id or entry is None:
                flash(_("No entry has this code in the competition."), "error")
            else:
                _do_or_flash(
                    lambda: awards.give(tier, entry, request.form.get("reason")), _("The award has been given.")
                )
        elif action == "remove":
            award = db.get_or_404(Award, request.form.get("award", 0, type=db_id))
            if award.tier.competition_id != competition.id:
                abort(404)
            _do_or_flash(
                lambda: awards.take_back(award, request.form.get("reason", "")), _("The award has been removed.")
            )
        return redirect(url_for("results_admin.awards_page", slug=slug))
    return _awards_page(competition)


def _awards_page(competition, tier_form=None):
    return render_template(
        "judging/results/awards.html",
        competition=competition,
        tiers=awards.tiers_of(competition),
        awards=awards.awards_of(competition),
        snapshot=_final_snapshot(competition),
        confirm_form=ConfirmForm(),
        tier_form=tier_form or AwardTierForm(formdata=None),
    )


def _local_tz():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


@admin.route("/publish", methods=["GET", "POST"])
@access("competition:organizer")
def publish(slug):
    competition = find_by_slug(slug)
    current = publication.current_publication_row(competition)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        if request.form.get("action") == "withdraw":
            if current is None:  # withdrawn a moment ago (a double click): never publish instead
                flash(_("No results are published or scheduled: there is nothing to withdraw."), "error")
            else:
                _do_or_flash(
                    lambda: publication.withdraw(current, request.form.get("reason", "")),
                    _("The results have been withdrawn."),
                )
            return redirect(url_for("results_admin.publish", slug=slug))
        snapshot = _final_snapshot(competition)
        try:
            # Left empty (or as the page filled it in): at once.
            typed = request.form.get("publish_at", "").strip()
            when = datetime.fromisoformat(typed).replace(tzinfo=_local_tz()) if typed else utcnow()
        except ValueError:
            flash(_("Give the date and time of the announcement."), "error")
            return redirect(url_for("results_admin.publish", slug=slug))
        if not plausible_year(when):
            flash(_("Enter a year such as 2026."), "error")
            return redirect(url_for("results_admin.publish", slug=slug))
        if snapshot is None:
            flash(_("Freeze a round's results first."), "error")
        else:
            _do_or_flash(
                lambda: publication.publish(
                    competition,
                    snapshot,
                    when,
                    current_user,
                    bool(request.form.get("feedback")),
                    request.form.get("reason"),
                ),
                _("The results will be published at the time set."),
            )
        return redirect(url_for("results_admin.publish", slug=slug))
    history = db.session.scalars(
        select(Publication).where(Publication.competition_id == competition.id).order_by(Publication.version.desc())
    ).all()
    snapshot = _final_snapshot(competition)
    return render_template(
        "judging/results/publish.html",
        competition=competition,
        current=current,
        history=history,
        snapshot=snapshot,
        # Publishing would be refused: the page says why instead of offering it.
        stale=publication.stale_reason(competition, snapshot) if snapshot is not None else None,
        confirm_form=ConfirmForm(),
        # The announcement time defaults to now (the field's own format, Vietnam time).
        now_local=datetime.now(_local_tz()).strftime("%Y-%m-%dT%H:%M"),
    )


@admin.route("/ceremony")
@access("competition:organizer")
def ceremony(slug):
    competition = find_by_slug(slug)
    current = publication.current_publication_row(competition)
    slides = []
    if current is not None:
        rows = [(board["board"], row) for board in current.content["boards"] for row in board["rows"] if row["award"]]
        # From the lowest tier up to Giải Nhất, board by board within a tier,
        # and within a tier from the lower standing up.
        for board, row in sorted(rows, key=lambda br: (-br[1]["award_position"], br[0], -br[1]["rank"])):
            slides.append(
                {
                    "award": row["award"],
                    "board": board,
                    "code": row["code"],
                    "title": row["title"],
                    "team": row["team"] or "",
                    "prize": row["prize"],
                }
            )
    return render_template("judging/results/ceremony.html", competition=competition, slides=slides)


@admin.route("/rounds/<int:round_id>/standings.<fmt>")
@access("competition:organizer")
def export_standings(slug, round_id, fmt):
    round_ = _round(slug, round_id)
    snapshot = results_domain.current_snapshot(round_)
    standings = (
        snapshot.standings
        if snapshot
        else [
            results_domain._standing_json(s, computed.entries)
            for computed in [results_domain.compute(round_)]
            for s in computed.standings
        ]
    )
    headers = [
        _("Rank"),
        _("Code"),
        _("Project title"),
        _("Team"),
        _("Score"),
        _("Mean of totals"),
        _("Judges"),
        _("Spread"),
        _("Tie-break"),
    ]
    rows = [
        [
            s["rank"],
            s["code"],
            s["title"],
            s["team"],
            round(s["score"], 2),
            round(s["raw_mean"], 2),
            s["n_judges"],
            round(s["spread"], 2),
            s["tie_break"] or "",
        ]
        for s in standings
    ]
    name = f"ket-qua-{round_.competition.slug}-vong-{round_.position}"
    if fmt == "csv":
        return Response(
            to_csv(headers, rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            to_xlsx([(round_.name, headers, rows)]),
            mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    abort(404)


@admin.route("/rounds/<int:round_id>/score-sheets.<fmt>")
@access("competition:organizer")
def export_sheets(slug, round_id, fmt):
    """Every score of every sheet in the round, one row per criterion."""
    round_ = _round(slug, round_id)
    from judging.domain.judges import judges_of

    names = {j.id: j.user.full_name for j in judges_of(round_.competition)}
    criteria = {c.id: c.name for c in round_.rubric.criteria}
    rows = db.session.execute(
        select(
            Entry.code,
            ScoreSheet.judge_id,
            Score.criterion_id,
            Score.value,
            ScoreSheet.submitted_at,
            ScoreSheet.comment,
            sheet_counts(),
            conflict_between(ScoreSheet.judge_id, ScoreSheet.entry_id),
        )
        .join(ScoreSheet, ScoreSheet.entry_id == Entry.id)
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .where(ScoreSheet.round_id == round_.id)
        .order_by(Entry.code, ScoreSheet.judge_id, Score.criterion_id)
    ).all()
    headers = [_("Code"), _("Judge"), _("Criterion"), _("Score"), _("Submitted"), _("Comment"), _("Counts")]
    why_not = {True: _("no: conflict of interest"), False: _("no: not submitted")}
    data = [
        [
            code,
            names.get(judge, judge),
            criteria.get(criterion, criterion),
            float(value),
            submitted.isoformat() if submitted else "",
            comment,
            _("yes") if counts else why_not[bool(conflicted)],
        ]
        for code, judge, criterion, value, submitted, comment, counts, conflicted in rows
    ]
    name = f"phieu-cham-{round_.competition.slug}-vong-{round_.position}"
    if fmt == "csv":
        return Response(
            to_csv(headers, data),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            to_xlsx([(round_.name, headers, data)]),
            mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    abort(404)


@admin.route("/rounds/<int:round_id>/record.pdf")
@access("competition:organizer")
def round_record(slug, round_id):
    """The archive's PDF record of the round's frozen results."""
    from judging.core.round_record import RecordRow, RoundRecord, render_round_record
    from judging.domain.judges import judges_of

    round_ = _round(slug, round_id)
    snapshot = results_domain.current_snapshot(round_)
    if snapshot is None:
        abort(404)
    judge_ids = {j for s in snapshot.standings for j, _t in s["judge_totals"]}
    record = RoundRecord(
        competition=round_.competition.name,
        round_name=round_.name,
        method=str(results_domain.METHOD_LABELS.get(snapshot.method, snapshot.method)),
        params=", ".join(f"{k}={v}" for k, v in snapshot.params.items() if k in ("trim", "min_scores")),
        inputs_hash=snapshot.inputs_hash,
        frozen_at=format_moment(snapshot.created_at),
        judges=[j.user.full_name for j in judges_of(round_.competition) if j.id in judge_ids],
        rows=[
            RecordRow(s["rank"], s["code"] or "", s["title"], s["team"], s["score"], s["n_judges"], s["spread"])
            for s in snapshot.standings
        ],
        labels={
            "title": _("Record of the results"),
            "panel": _("Judges"),
            "method": _("Method"),
            "hash": _("Hash of the scores"),
            "frozen": _("Frozen at"),
            "rank": _("Rank"),
            "code": _("Code"),
            "project": _("Project"),
            "team": _("Team"),
            "score": _("Score"),
            "judges": _("Judges"),
            "spread": _("Spread"),
            "chair": _("Chair of the panel"),
            "secretary": _("Secretary"),
            "page": _("Page"),
        },
    )
    return Response(
        render_round_record(record),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="bien-ban-{round_.competition.slug}-vong-{round_.position}.pdf"'
        },
    )


# -- public ------------------------------------------------------------------------

# A publication's bytes never change: kept by publication (id and content hash)
# for an hour, per language, for every anonymous visitor (contest/cache.py).
PUBLICATION_SECONDS = 3600


def _public_response(body: bytes, mimetype: str, etag: str):
    """Cacheable by browsers for half a minute; compression is nginx's (docs/deploy.md)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Vary"] = "Cookie"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=30"
    return response.make_conditional(request)


@public.route("/c/<slug>/results")
@access("public")
def public_results(slug):
    visible = publication.visible_publication(slug)
    if visible is None:
        competition = visible_or_404(slug)
        response = Response(render_template("judging/results/not_yet.html", competition=competition))
        response.headers["Cache-Control"] = "no-cache"
        return response

    def render() -> bytes:
        row = db.get_or_404(Publication, visible.id)  # withdrawn a moment ago: gone
        return render_template(
            "judging/results/public.html",
            content=row.content,
            board_ranks=publication.board_ranks,
            publication=row,
            og_url=url_for("results.public_results", slug=slug, _external=True),
            shared_page=not current_user.is_authenticated,
        ).encode()

    version = f"{visible.id}-{visible.content_hash[:16]}"
    body = cache.cached_page(render, PUBLICATION_SECONDS, version=version)
    if current_user.is_authenticated:  # the page shows who is logged in: never share it
        response = Response(body, mimetype="text/html")
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return _public_response(body, "text/html", f"{version}-{get_locale()}")


@public.route("/c/<slug>/results.json")
@access("public")
def public_results_json(slug):
    visible = publication.visible_publication(slug)
    if visible is None:
        visible_or_404(slug)
        return Response(
            json.dumps({"published": False}), mimetype="application/json", headers={"Cache-Control": "no-cache"}
        )

    def render() -> bytes:
        row = db.get_or_404(Publication, visible.id)  # withdrawn a moment ago: gone
        return json.dumps(
            {
                "published": True,
                "version": row.version,
                "published_at": row.publish_at.isoformat(),
                "content_hash": row.content_hash,
                **row.content,
            },
            ensure_ascii=False,
        ).encode()

    version = f"{visible.id}-{visible.content_hash[:16]}"
    body = cache.get_or_set(f"results-json:{version}", render, PUBLICATION_SECONDS)
    return _public_response(body, "application/json", f"{version}-json")


def competition_progress(_app, competition_ids: list[int]) -> dict[int, Progress]:
    """Receiver of contest.signals.competition_progress: judging begun, results public."""
    public_ids = publication.public_competition_ids(competition_ids)
    started = publication.judging_started_ids(competition_ids)
    if not public_ids and not started:
        return {}
    slugs = dict(
        db.session.execute(select(Competition.id, Competition.slug).where(Competition.id.in_(public_ids)))
        .tuples()
        .all()
    )
    return {
        id_: Progress(
            judging_started=id_ in started,
            results_url=url_for("results.public_results", slug=slugs[id_]) if id_ in slugs else None,
        )
        for id_ in public_ids | started
    }


# -- a team's feedback -----------------------------------------------------------


def team_links(_app, team) -> list[tuple[str, str]]:
    if publication.team_feedback(team) is None:
        return []
    return [(_("Judges' feedback"), url_for("results.feedback", team_id=team.id))]


@public.route("/teams/<int:team_id>/feedback")
@access("team:member")
def feedback(team_id):
    from contest.models import Team

    team = db.session.get(Team, team_id)
    data = publication.team_feedback(team)
    if data is None:
        abort(404)
    return render_template("judging/results/feedback.html", team=team, feedback=data)
