"""The judge's pages, built for tablets: rounds, queue, scoring, invitation.
The scoring page works offline (service worker + a queue on the device)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from contest.access import access
from contest.domain import login_sessions
from contest.domain.errors import DomainError
from contest.extensions import auth_limit, db, failed_answer, limiter
from contest.models import Attachment, Entry
from contest.transactions import atomic
from contest.views import form_status, show_domain_error
from judging.domain import judges as judges_domain
from judging.domain import queue as queue_domain
from judging.domain.rounds import judge_of
from judging.forms import AcceptInviteForm, DeclareConflictForm
from judging.models import Round

bp = Blueprint("judge", __name__, url_prefix="/judge")


@bp.after_request
def _name_the_account(response):
    """The tablet's service worker keeps each account's pages apart by this
    header, and never serves one account's cached page to another."""
    if current_user.is_authenticated:
        response.headers["X-Account"] = str(current_user.id)
    return response


@bp.route("/")
@access("login")
def home():
    return render_template(
        "judging/judge/home.html",
        rounds=queue_domain.rounds_for(current_user.id),
        csrf=generate_csrf(),
        precache={"pages": [], "assets": []},
    )


@bp.route("/invite/<token>", methods=["GET", "POST"])
@access("public")
@limiter.limit(auth_limit, methods=["POST"], deduct_when=failed_answer)
def accept_invite(token):
    try:
        judge = judges_domain.judge_from_token(token)
    except DomainError as error:
        return render_template("auth/token_problem.html", message=error.message), 400
    needs_password = judges_domain.needs_password(judge)
    if not needs_password and current_user.is_authenticated and current_user.id != judge.user_id:
        # Logged in with another account: the log-in page would send them straight back here.
        message = _(
            "This invitation is for %(email)s. Log out, then open the link again and log in with that address.",
            email=judge.user.email,
        )
        return render_template("auth/token_problem.html", message=message), 403
    if not needs_password and not current_user.is_authenticated:
        # The log-in page says which panel and which address (coming_for below).
        return redirect(url_for("auth.login", next=request.path))
    form = AcceptInviteForm()
    if not needs_password:
        del form.password
        del form.confirm
    if form.validate_on_submit():
        try:
            with atomic():
                judges_domain.accept_invite(judge, form.password.data if needs_password else None)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            login_sessions.sign_in(judge.user)
            flash(_("Welcome to the panel of judges."), "success")
            return redirect(url_for("judge.home"))
    return render_template(
        "judging/judge/accept.html", form=form, judge=judge, needs_password=needs_password
    ), form_status(form)


def coming_for(_app, endpoint: str, view_args: dict) -> str | None:
    """Receiver of contest.signals.coming_for: the log-in (or sign-up) page on
    the way to a judge's invitation names the competition's panel and the
    address to log in with."""
    if endpoint != "judge.accept_invite":
        return None
    try:
        judge = judges_domain.judge_from_token(view_args["token"])
    except DomainError:
        return None  # the invitation page says what is wrong with it
    return _(
        "You are accepting the invitation to the panel of judges of %(competition)s. Log in with %(email)s "
        "to accept it; you then come back to the invitation.",
        competition=judge.competition.name,
        email=judge.user.email,
    )


def _round_and_judge(round_id):
    round_ = db.session.get(Round, round_id)
    return round_, judge_of(round_.competition_id, current_user.id)


@bp.route("/rounds/<int:round_id>")
@access("round:judge")
def queue(round_id):
    round_, judge = _round_and_judge(round_id)
    items = queue_domain.queue_of(round_, judge)
    return render_template(
        "judging/judge/queue.html",
        round=round_,
        judge=judge,
        items=items,
        panel=queue_domain.panel_view(round_, judge),
        csrf=generate_csrf(),
        precache=_precache(round_, judge, items),
    )


def _precache(round_, judge, items) -> dict:
    """What the tablet keeps ahead once this queue is opened with a connection:
    the judge's pages, every sheet the judge may open and its documents, and
    the scripts those sheets need."""
    pages = [url_for("judge.home"), url_for("judge.queue", round_id=round_.id)]
    for item in items:
        if not queue_domain.may_read(round_, judge, item.entry.id):
            continue
        pages.append(url_for("judge.score", round_id=round_.id, entry_id=item.entry.id))
        pages.extend(
            url_for("judge.document", round_id=round_.id, entry_id=item.entry.id, attachment_id=a.id)
            for a in item.entry.current_attachments()
        )
    scripts = ["css/app.css", "js/device-data.js", "js/judge-offline.js", "js/judge-queue.js", "js/judge-scoring.js"]
    if round_.mode.value == "pitch":
        scripts.append("js/pitch-timer.js")
    return {"pages": pages, "assets": [url_for("static", filename=name) for name in scripts]}


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>")
@access("round:judge")
def score(round_id, entry_id):
    round_, judge = _round_and_judge(round_id)
    page = queue_domain.scoring_page(round_, judge, entry_id)
    if page is None:
        abort(403)
    return render_template(
        "judging/judge/score.html",
        round=round_,
        judge=judge,
        page=page,
        conflict_form=DeclareConflictForm(),
        csrf=generate_csrf(),
    )


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/documents/<int:attachment_id>")
@access("round:judge")
def document(round_id, entry_id, attachment_id):
    from contest.views.entries import attachment_response

    round_, judge = _round_and_judge(round_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.entry_id != entry_id or not queue_domain.may_read(round_, judge, entry_id):
        abort(403)
    return attachment_response(attachment)


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/conflict", methods=["POST"])
@access("round:judge")
def declare_conflict(round_id, entry_id):
    round_, judge = _round_and_judge(round_id)
    entry = db.get_or_404(Entry, entry_id)
    form = DeclareConflictForm()
    if form.validate_on_submit():
        try:
            with atomic():
                judges_domain.declare_conflict(judge, entry, form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("judge.score", round_id=round_id, entry_id=entry_id))
        flash(_("Thank you. You will not score this entry; the organizers have been told."), "success")
        return redirect(url_for("judge.queue", round_id=round_id))
    # An empty reason gets the hint; a too long one, the length it may have.
    flash(
        form.reason.errors[0]
        if form.reason.data and form.reason.errors
        else _("Say briefly why (for example: a relative is in the team)."),
        "error",
    )
    return redirect(url_for("judge.score", round_id=round_id, entry_id=entry_id))


@bp.route("/rounds/<int:round_id>/sheet.pdf")
@access("round:judge")
def paper_sheet(round_id):
    from judging.domain.paper import score_sheet_pdf

    round_, judge = _round_and_judge(round_id)
    return Response(
        score_sheet_pdf(round_, judge),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="phieu-cham-{round_.id}-{judge.id}.pdf"'},
    )


@bp.route("/offline")
@access("public")
def offline_page():
    """What the tablet shows, without a connection, for a judge's page it does not keep."""
    response = current_app.make_response(render_template("judging/judge/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/csrf")
@access("login")
def csrf():
    """A fresh token for a page that was reloaded from the device's cache."""
    return jsonify(token=generate_csrf())


@bp.route("/sw.js")
@access("public")
def service_worker():
    """Served from /judge/ so that it may control the judges' pages."""
    response = current_app.send_static_file("js/judge-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/judge/"
    return response


@bp.route("/history/<int:expert_id>")
@access("expert:self_or_officer")
def history(expert_id):
    """A judge's history: every competition their person judged, the rounds,
    the sheets they scored and their leniency relative to each round's panel."""
    from contest.models import Expert
    from judging.domain import pool as pool_domain

    expert = db.get_or_404(Expert, expert_id)
    return render_template("judging/judge/history.html", expert=expert, services=pool_domain.history(expert))


def expert_links(_app, expert) -> list[tuple[str, str]]:
    return [(_("Judging history"), url_for("judge.history", expert_id=expert.id))]
