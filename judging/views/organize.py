"""Organizers' judging pages: rubrics, rounds, judges, conflicts, assignment,
the live judge × entry board, reminders, lock, pitch order and timer."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from contest.access import access
from contest.domain.competitions import find_by_slug
from contest.domain.errors import DomainError
from contest.extensions import db, limiter, mail_limit
from contest.forms.teams import ConfirmForm
from contest.request_guard import db_id
from contest.transactions import atomic
from contest.views import form_status, show_domain_error
from judging.domain import assignment as assignment_domain
from judging.domain import board as board_domain
from judging.domain import judges as judges_domain
from judging.domain import rounds as rounds_domain
from judging.domain import rubrics as rubrics_domain
from judging.forms import (
    AddPairForm,
    ChairForm,
    InviteJudgeForm,
    LockForm,
    RoundForm,
    RubricPresetForm,
)
from judging.models import (
    Conflict,
    EntrySource,
    Judge,
    Round,
    RoundMode,
    Rubric,
)

bp = Blueprint("organize", __name__, url_prefix="/manage/<slug>/judging")


def _competition(slug):
    return find_by_slug(slug)


def _round(competition, round_id) -> Round:
    round_ = db.get_or_404(Round, round_id)
    if round_.competition_id != competition.id:
        abort(404)
    return round_


def _rubric_form(competition):
    form = RubricPresetForm(prefix="rubric")
    form.preset.choices = [(k, str(v)) for k, v in rubrics_domain.PRESET_LABELS.items()]
    return form


def _round_form(competition):
    form = RoundForm(prefix="round")
    form.rubric.choices = [
        (r.id, f"{r.name} (v{r.version})")
        for r in db.session.scalars(
            select(Rubric).where(Rubric.competition_id == competition.id).order_by(Rubric.name, Rubric.version)
        )
    ]
    return form


@bp.route("/")
@access("competition:organizer")
def index(slug):
    competition = _competition(slug)
    return _index(competition)


def _index(competition, rubric_form=None, round_form=None):
    rubrics = db.session.scalars(
        select(Rubric).where(Rubric.competition_id == competition.id).order_by(Rubric.name, Rubric.version)
    ).all()
    forms = (rubric_form or _rubric_form(competition), round_form or _round_form(competition))
    return render_template(
        "judging/organize/index.html",
        competition=competition,
        rubrics=rubrics,
        rounds=rounds_domain.rounds_of(competition),
        rubric_form=forms[0],
        round_form=forms[1],
        state_labels=rounds_domain.STATE_LABELS,
        mode_labels=rounds_domain.MODE_LABELS,
        max_total=rubrics_domain.max_total,
    ), form_status(*forms)


@bp.route("/rubrics", methods=["POST"])
@access("competition:organizer")
def create_rubric(slug):
    competition = _competition(slug)
    form = _rubric_form(competition)
    if form.validate_on_submit():
        try:
            with atomic():
                rubrics_domain.create_from_preset(competition.id, form.preset.data, form.name.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The rubric has been created."), "success")
            return redirect(url_for("organize.index", slug=slug))
    return _index(competition, rubric_form=form)


def _criterion_rows(form) -> list[rubrics_domain.CriterionRow]:
    """The criteria table as sent: rows c-0-…, c-1-…, in order (at most 100)."""
    rows = []
    for i in range(100):
        if f"c-{i}-name" not in form:
            break
        rows.append(
            rubrics_domain.CriterionRow(
                **{
                    key: form.get(f"c-{i}-{key}", "")[:2000]
                    for key in ("id", "name", "max", "weight", "step", "description")
                }
            )
        )
    return rows


@bp.route("/rubrics/<int:rubric_id>", methods=["GET", "POST"])
@access("competition:organizer")
def edit_rubric(slug, rubric_id):
    """A rubric's criteria, to read and change. Once scores exist the rubric is
    frozen: a change makes its next version (rubrics_domain.update_rubric)."""
    competition = _competition(slug)
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None or rubric.competition_id != competition.id:
        abort(404)
    rows = [rubrics_domain.criterion_row(c) for c in rubric.criteria]
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        rows = _criterion_rows(request.form)
        try:
            specs = rubrics_domain.specs_from_rows(rows, rubric)
            with atomic():
                target = rubrics_domain.update_rubric(rubric, specs)
        except DomainError as error:
            flash(error.message, "error")
            status = 400
        else:
            if target.id != rubric.id:
                flash(
                    _(
                        "Scores already exist for this rubric, so it was not changed: version %(v)d has been made "
                        "with your changes. Rounds keep the version they use; choose the new one for a new round.",
                        v=target.version,
                    ),
                    "warning",
                )
            else:
                flash(_("The rubric has been saved."), "success")
            return redirect(url_for("organize.edit_rubric", slug=slug, rubric_id=target.id))
    used_by = [r for r in rounds_domain.rounds_of(competition) if r.rubric_id == rubric.id]
    return render_template(
        "judging/organize/rubric.html",
        competition=competition,
        rubric=rubric,
        rows=rows + [rubrics_domain.CriterionRow() for _ in range(2)],
        used_by=used_by,
        max_total=rubrics_domain.max_total(rubric),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/rounds", methods=["POST"])
@access("competition:organizer")
def create_round(slug):
    competition = _competition(slug)
    form = _round_form(competition)
    if form.validate_on_submit():
        try:
            with atomic():
                round_ = rounds_domain.create_round(
                    competition,
                    name=form.name.data,
                    mode=RoundMode(form.mode.data),
                    entry_source=EntrySource(form.entry_source.data),
                    rubric=db.session.get(Rubric, form.rubric.data),
                    judges_per_entry=form.judges_per_entry.data,
                    blind=form.blind.data,
                    chair_sees_scores=form.chair_sees_scores.data,
                    presentation_seconds=(form.presentation_minutes.data or 7) * 60,
                    questions_seconds=(form.questions_minutes.data or 0) * 60,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The round has been created."), "success")
            return redirect(url_for("organize.round", slug=slug, round_id=round_.id))
    return _index(competition, round_form=form)


@bp.route("/rounds/<int:round_id>")
@access("competition:organizer")
def round(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    preview = assignment_domain.preview(round_) if round_.entries and round_.state.value != "locked" else None
    judges = judges_domain.judges_of(competition)
    add_form = AddPairForm()
    add_form.judge.choices = [(j.id, j.user.full_name) for j in judges]
    add_form.entry.choices = [(re.entry_id, re.entry.code) for re in round_.entries]
    codes = {re.entry_id: re.entry.code for re in round_.entries}
    names = {j.id: j.user.full_name for j in judges}
    return render_template(
        "judging/organize/round.html",
        competition=competition,
        round=round_,
        preview=preview,
        problems=[assignment_domain.explain(p, codes, names) for p in preview.problems] if preview else [],
        board=board_domain.board(round_),
        completion=rounds_domain.completion(round_),
        add_form=add_form,
        lock_form=LockForm(),
        confirm_form=ConfirmForm(),
        state_labels=rounds_domain.STATE_LABELS,
        chair_form=_chair_form(round_, judges),
        judge_names=names,
        entry_codes=codes,
        waiting_for_check=rounds_domain.waiting_for_check(round_) if round_.state.value == "preparing" else 0,
        board_refresh_seconds=current_app.config.get("BOARD_REFRESH_SECONDS", 30),
    )


def _chair_form(round_, judges):
    form = ChairForm()
    form.judge.choices = [(0, _("— none —"))] + [(j.id, j.user.full_name) for j in judges]
    form.judge.data = round_.chair_judge_id or 0
    return form


def _round_action(slug, round_id, action, success):
    """`success` is the message, or makes it from what the action returned."""
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            result = action(round_)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(success(result) if callable(success) else success, "success")
    return redirect(url_for("organize.round", slug=slug, round_id=round_id))


@bp.route("/rounds/<int:round_id>/entries", methods=["POST"])
@access("competition:organizer")
def refresh_entries(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            taken = rounds_domain.refresh_entries(round_)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(taken.message(), "success" if taken.total else "warning")
    return redirect(url_for("organize.round", slug=slug, round_id=round_id))


@bp.route("/rounds/<int:round_id>/assign", methods=["POST"])
@access("competition:organizer")
def apply_assignment(slug, round_id):
    return _round_action(
        slug,
        round_id,
        lambda r: assignment_domain.apply(r, assignment_domain.preview(r)),
        _("The assignment has been applied."),
    )


@bp.route("/rounds/<int:round_id>/assign/add", methods=["POST"])
@access("competition:organizer")
def add_pair(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    form = AddPairForm()
    form.judge.choices = [(j.id, "") for j in judges_domain.judges_of(competition)]
    form.entry.choices = [(re.entry_id, "") for re in round_.entries]
    if form.validate_on_submit():
        try:
            with atomic():
                assignment_domain.add_pair(round_, db.session.get(Judge, form.judge.data), form.entry.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The judge has been assigned."), "success")
    return redirect(url_for("organize.round", slug=slug, round_id=round_id))


@bp.route("/rounds/<int:round_id>/assign/<int:judge_id>/<int:entry_id>/remove", methods=["POST"])
@access("competition:organizer")
def remove_pair(slug, round_id, judge_id, entry_id):
    return _round_action(
        slug,
        round_id,
        lambda r: assignment_domain.remove_pair(r, judge_id, entry_id),
        _("The assignment has been removed."),
    )


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@access("competition:organizer")
def open_round(slug, round_id):
    return _round_action(slug, round_id, rounds_domain.open_round, _("The round is open for scoring."))


@bp.route("/rounds/<int:round_id>/lock", methods=["POST"])
@access("competition:organizer")
def lock(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    form = LockForm()
    if form.validate_on_submit():
        try:
            with atomic():
                rounds_domain.lock_round(round_, form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The round is locked."), "success")
    return redirect(url_for("organize.round", slug=slug, round_id=round_id))


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@access("competition:organizer")
@limiter.limit(mail_limit, methods=["POST"])
def remind(slug, round_id):
    return _round_action(slug, round_id, board_domain.remind_late_judges, _reminded)


def _reminded(reminders: board_domain.Reminders) -> str:
    message = ngettext(
        "%(num)d judge who is behind has been reminded.",
        "%(num)d judges who are behind have been reminded.",
        reminders.sent,
    )
    if reminders.recent:
        message += " " + ngettext(
            "%(num)d was reminded less than %(minutes)d minutes ago and is not reminded again.",
            "%(num)d were reminded less than %(minutes)d minutes ago and are not reminded again.",
            reminders.recent,
            minutes=int(board_domain.REMINDER_INTERVAL.total_seconds() // 60),
        )
    return message


@bp.route("/rounds/<int:round_id>/pitch-order", methods=["GET", "POST"])
@access("competition:organizer")
def pitch_order(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    if request.method == "POST":
        return _round_action(slug, round_id, rounds_domain.draw_order, _("The pitch order has been drawn."))
    order = sorted((re for re in round_.entries if re.pitch_position), key=lambda re: re.pitch_position)
    return render_template("judging/organize/pitch_order.html", competition=competition, round=round_, order=order)


@bp.route("/rounds/<int:round_id>/timer", methods=["POST"])
@access("competition:organizer")
def timer(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    entry_id = request.form.get("entry_id", type=db_id)
    try:
        with atomic():
            rounds_domain.control_timer(round_, request.form.get("action", ""), entry_id)
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("organize.projector_control", slug=slug, round_id=round_id))


@bp.route("/rounds/<int:round_id>/projector")
@access("competition:organizer")
def projector_control(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    order = sorted(round_.entries, key=lambda re: (re.pitch_position or 10**6, re.entry.code or ""))
    return render_template(
        "judging/organize/projector.html",
        competition=competition,
        round=round_,
        order=order,
        confirm_form=ConfirmForm(),
    )


@bp.route("/judges", methods=["GET", "POST"])
@access("competition:organizer")
@limiter.limit(mail_limit, methods=["POST"])
def judges(slug):
    competition = _competition(slug)
    form = InviteJudgeForm()
    form.fields.choices = [(f.id, f.name) for f in competition.fields]
    if form.validate_on_submit():
        try:
            with atomic():
                judges_domain.invite_judge(
                    competition,
                    email=form.email.data,
                    full_name=form.full_name.data or "",
                    organisation=form.organisation.data,
                    field_ids=form.fields.data or [],
                    invited_by=current_user,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The invitation has been sent."), "success")
            return redirect(url_for("organize.judges", slug=slug))
    conflicts = db.session.scalars(
        select(Conflict)
        .join(Judge)
        .where(Judge.competition_id == competition.id)
        .order_by(Conflict.status, Conflict.id)
    ).all()
    return render_template(
        "judging/organize/judges.html",
        competition=competition,
        form=form,
        judges=judges_domain.judges_of(competition),
        conflicts=conflicts,
        confirm_form=ConfirmForm(),
        field_names={f.id: f.name for f in competition.fields},
    ), form_status(form)


@bp.route("/conflicts/propose", methods=["POST"])
@access("competition:organizer")
def propose_conflicts(slug):
    competition = _competition(slug)
    if ConfirmForm().validate_on_submit():
        added = judges_domain.propose_conflicts(competition)
        flash(_("%(n)d possible conflicts found for you to check.", n=added), "success")
    return redirect(url_for("organize.judges", slug=slug) + "#conflicts")


@bp.route("/conflicts/<int:conflict_id>/<decision>", methods=["POST"])
@access("competition:organizer")
def decide_conflict(slug, conflict_id, decision):
    competition = _competition(slug)
    conflict = db.get_or_404(Conflict, conflict_id)
    if conflict.judge.competition_id != competition.id or decision not in ("confirm", "dismiss"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                judges_domain.decide_conflict(conflict, decision == "confirm", current_user)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("organize.judges", slug=slug) + "#conflicts")


@bp.route("/rounds/<int:round_id>/sheets/<int:judge_id>.pdf")
@access("competition:organizer")
def paper_sheet(slug, round_id, judge_id):
    from flask import Response

    from judging.domain.paper import score_sheet_pdf

    competition = _competition(slug)
    round_ = _round(competition, round_id)
    judge = db.get_or_404(Judge, judge_id)
    if judge.competition_id != competition.id:
        abort(404)
    return Response(score_sheet_pdf(round_, judge), mimetype="application/pdf")


@bp.route("/rounds/<int:round_id>/chair", methods=["POST"])
@access("competition:organizer")
def set_chair(slug, round_id):
    competition = _competition(slug)
    round_ = _round(competition, round_id)
    form = ChairForm()
    form.judge.choices = [(0, "")] + [(j.id, "") for j in judges_domain.judges_of(competition)]
    if form.validate_on_submit():
        rounds_domain.set_chair(round_, db.session.get(Judge, form.judge.data) if form.judge.data else None)
        flash(_("The chair has been saved."), "success")
    return redirect(url_for("organize.round", slug=slug, round_id=round_id))


@bp.route("/pool")
@access("competition:organizer")
def pool(slug):
    """Build the panel from the registry of experts: search by field, unit,
    availability and name; past service shown beside each person."""
    from contest.domain import experts as experts_domain
    from judging.domain import pool as pool_domain

    competition = _competition(slug)
    field = (request.args.get("field") or "").strip()[:120]
    unit_id = request.args.get("unit", type=db_id) or None
    text = (request.args.get("q") or "").strip()[:120]
    available_only = request.args.get("all") != "1"
    served_only = request.args.get("served") == "1"
    fields = [f.name for f in competition.fields] or experts_domain.field_names()
    found = pool_domain.candidates(competition, field=field, unit_id=unit_id, available_only=available_only, text=text)
    if served_only:  # past service: those who judged in an earlier contest, the most experienced first
        found = sorted((c for c in found if c.contests), key=lambda c: (-c.contests, -c.sheets))
    return render_template(
        "judging/organize/pool.html",
        competition=competition,
        candidates=found,
        fields=fields,
        units=[(u.id, u.name) for u in _pool_units()],
        chosen={"field": field, "unit": unit_id, "q": text, "all": not available_only, "served": served_only},
        confirm_form=ConfirmForm(),
    )


def _pool_units():
    from contest.models import Expert, OrgUnit

    return db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(select(Expert.org_unit_id).distinct())).order_by(OrgUnit.name)
    )


@bp.route("/pool/<int:expert_id>/invite", methods=["POST"])
@access("competition:organizer")
@limiter.limit(mail_limit, methods=["POST"])
def invite_expert(slug, expert_id):
    from contest.models import Expert
    from judging.domain import pool as pool_domain

    competition = _competition(slug)
    expert = db.get_or_404(Expert, expert_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            pool_domain.invite_expert(competition, expert, invited_by=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s has been invited.", name=expert.full_name), "success")
    return redirect(
        url_for("organize.pool", slug=slug, **{k: v for k, v in request.args.items() if k in ("field", "unit", "q")})
    )
