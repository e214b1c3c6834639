"""The audience vote's pages: the organizers' (open a category, watch, void,
freeze) and the public's (confirm an address, vote, the live count)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from wtforms import BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest import cache
from contest.access import access
from contest.domain.competitions import OpenVote, find_by_slug, visible_to
from contest.domain.errors import DomainError
from contest.extensions import db, limiter
from contest.forms.accounts import REQUIRED
from contest.forms.base import Form, PlausibleYear
from contest.forms.teams import ConfirmForm
from contest.request_guard import db_id
from contest.transactions import atomic
from contest.views import form_status, show_domain_error
from contest.views.manage import to_local, to_utc
from judging.domain import awards
from judging.domain import votes as domain
from judging.models import AwardTier, VoteCampaign

admin = Blueprint("votes_admin", __name__, url_prefix="/manage/<slug>/votes")
public = Blueprint("votes", __name__)

# The live count, kept for every anonymous visitor this long (the results page's way).
COUNT_SECONDS = 5


# -- rate limits: the project's limiter, keyed by the address asked for and by network --


def _address_limit() -> str:
    return current_app.config["RATELIMIT_VOTE_ADDRESS"]


def _network_limit() -> str:
    """A network the organizers trust for the category (the hall) has the hall's
    limit: the whole hall votes behind one address."""
    campaign_id = (request.view_args or {}).get("campaign_id")
    if campaign_id is not None and domain.network_is_trusted(campaign_id, _network()):
        return current_app.config["RATELIMIT_VOTE_HALL_NETWORK"]
    return current_app.config["RATELIMIT_VOTE_NETWORK"]


def _network() -> str:
    return domain.network_of(get_remote_address()) or get_remote_address() or ""


def _address_key() -> str:
    return "vote-address:" + domain.normalise_email(request.form.get("email"))


def _network_key() -> str:
    return "vote-network:" + _network()


# -- forms --------------------------------------------------------------------------


class CampaignForm(Form):
    name = StringField(
        _l("Voting category"),
        default="Giải do khán giả bình chọn",
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    opens_at = DateTimeLocalField(
        _l("Vote opens"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(REQUIRED), PlausibleYear()]
    )
    closes_at = DateTimeLocalField(
        _l("Vote closes"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(REQUIRED), PlausibleYear()]
    )
    count_public = BooleanField(_l("Show the running count to the public"), default=True)
    refuse_disposable = BooleanField(_l("Refuse addresses of throwaway-mail services"), default=True)
    burst_threshold = IntegerField(
        _l("Flag this many votes from one network within 10 minutes"),
        default=20,
        validators=[DataRequired(REQUIRED), NumberRange(2, 100_000)],
    )


class EmailForm(Form):
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)])


class CodeForm(Form):
    code = StringField(_l("The code from the e-mail"), validators=[DataRequired(REQUIRED), Length(max=20)])


class VoidForm(Form):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class NetworkForm(Form):
    network = StringField(
        _l("Network (an address, or a network such as 203.113.5.0/24)"),
        validators=[DataRequired(REQUIRED), Length(max=64)],
    )


class AcceptForm(Form):
    network = StringField(_l("Network"), validators=[DataRequired(REQUIRED), Length(max=64)])
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class FreezeForm(Form):
    award_tier = SelectField(_l("Award it gives (optional)"), coerce=int, validators=[Optional()])


# -- organizers ---------------------------------------------------------------------


def _campaign_of(slug: str, campaign_id: int):
    competition = find_by_slug(slug)
    campaign = db.session.get(VoteCampaign, campaign_id)
    if competition is None or campaign is None or campaign.competition_id != competition.id:
        abort(404)
    return competition, campaign


@admin.route("/", methods=["GET", "POST"])
@access("competition:organizer")
def index(slug):
    competition = find_by_slug(slug)
    form = CampaignForm()
    entries = domain.votable_entries(competition)
    status = None
    if form.validate_on_submit():
        chosen = request.form.getlist("entries", type=db_id)
        try:
            with atomic():
                campaign = domain.create_campaign(
                    competition,
                    name=form.name.data,
                    opens_at=to_utc(form.opens_at.data),
                    closes_at=to_utc(form.closes_at.data),
                    entry_ids=chosen,
                    count_public=form.count_public.data,
                    refuse_disposable=form.refuse_disposable.data,
                    burst_threshold=form.burst_threshold.data,
                    by=current_user,
                )
            flash(_("The vote has been set up."), "success")
            return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id))
        except DomainError as error:
            show_domain_error(form, error)
            status = 400
    return render_template(
        "judging/votes/index.html",
        competition=competition,
        campaigns=domain.campaigns_of(competition),
        form=form,
        entries=entries,
        chosen=set(request.form.getlist("entries", type=db_id)),
    ), status or form_status(form)


@admin.route("/<int:campaign_id>")
@access("competition:organizer")
def campaign(slug, campaign_id):
    competition, campaign = _campaign_of(slug, campaign_id)
    return _campaign_page(competition, campaign)


def _campaign_page(
    competition, campaign, void_form=None, freeze_form=None, network_form=None, accept_form=None, status=200
):
    freeze_form = freeze_form or FreezeForm()
    freeze_form.award_tier.choices = [(0, _("— none —"))] + [(t.id, t.name) for t in awards.tiers_of(competition)]
    snapshot = domain.latest_snapshot(campaign)
    return render_template(
        "judging/votes/campaign.html",
        competition=competition,
        campaign=campaign,
        tallies=domain.tallies(campaign),
        bursts=domain.flagged_bursts(campaign),
        votes=domain.recent_votes(campaign),
        snapshot=snapshot,
        stale=domain.frozen_count_is_stale(campaign, snapshot),
        is_open=domain.is_open(campaign),
        void_form=void_form or VoidForm(),
        network_form=network_form or NetworkForm(),
        accept_form=accept_form or AcceptForm(),
        hall_reason=_("The hall's Wi-Fi"),
        freeze_form=freeze_form,
        to_local=to_local,
    ), status


@admin.route("/<int:campaign_id>/void", methods=["POST"])
@access("competition:organizer")
def void(slug, campaign_id):
    competition, campaign = _campaign_of(slug, campaign_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return _campaign_page(competition, campaign, void_form=form, status=400)
    try:
        with atomic():
            network = request.form.get("network")
            if network:
                count = domain.void_burst(campaign, network, form.reason.data, current_user)
            else:
                ids = request.form.getlist("votes", type=db_id)
                count = domain.void_votes(campaign, ids, form.reason.data, current_user)
    except DomainError as error:
        show_domain_error(form, error)
        return _campaign_page(competition, campaign, void_form=form, status=400)
    flash(_("%(n)d votes voided.", n=count), "success")
    return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id))


@admin.route("/<int:campaign_id>/accept", methods=["POST"])
@access("competition:organizer")
def accept(slug, campaign_id):
    """Accept a flagged burst (the hall voting over its Wi-Fi): its votes lose the flag
    and its network is trusted for the category."""
    competition, campaign = _campaign_of(slug, campaign_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _campaign_page(competition, campaign, accept_form=form, status=400)
    try:
        with atomic():
            count = domain.accept_burst(campaign, form.network.data.strip(), form.reason.data, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return _campaign_page(competition, campaign, accept_form=form, status=400)
    flash(
        _("%(n)d votes accepted; the network %(network)s is trusted.", n=count, network=form.network.data.strip()),
        "success",
    )
    return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id))


@admin.route("/<int:campaign_id>/networks", methods=["POST"])
@access("competition:organizer")
def trust(slug, campaign_id):
    competition, campaign = _campaign_of(slug, campaign_id)
    form = NetworkForm()
    if not form.validate_on_submit():
        return _campaign_page(competition, campaign, network_form=form, status=400)
    try:
        with atomic():
            network = domain.trust_network(campaign, form.network.data, current_user)
    except DomainError as error:
        show_domain_error(form, error)
        return _campaign_page(competition, campaign, network_form=form, status=400)
    if network is None:
        flash(_("A trusted network already holds this one."), "info")
    else:
        flash(_("Votes from %(network)s will not be flagged as a burst.", network=network), "success")
    return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id) + "#networks")


@admin.route("/<int:campaign_id>/networks/remove", methods=["POST"])
@access("competition:organizer")
def untrust(slug, campaign_id):
    competition, campaign = _campaign_of(slug, campaign_id)
    form = NetworkForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _campaign_page(competition, campaign, status=400)
    try:
        with atomic():
            domain.untrust_network(campaign, form.network.data.strip(), current_user)
    except DomainError as error:
        flash(error.message, "error")
        return _campaign_page(competition, campaign, status=400)
    flash(_("The network %(network)s is no longer trusted.", network=form.network.data.strip()), "success")
    return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id) + "#networks")


def _flash_errors(form) -> None:
    """A form of hidden or inline fields shows its errors on top of the page."""
    for name, errors in form.errors.items():
        if name == "csrf_token":
            continue
        label = getattr(form, name).label.text
        for error in errors:
            flash(f"{label}: {error}", "error")


@admin.route("/<int:campaign_id>/freeze", methods=["POST"])
@access("competition:organizer")
def freeze(slug, campaign_id):
    competition, campaign = _campaign_of(slug, campaign_id)
    form = FreezeForm()
    form.award_tier.choices = [(0, "")] + [(t.id, t.name) for t in awards.tiers_of(competition)]
    if not form.validate_on_submit():
        return _campaign_page(competition, campaign, freeze_form=form, status=400)
    tier = db.session.get(AwardTier, form.award_tier.data) if form.award_tier.data else None
    try:
        with atomic():
            domain.freeze(campaign, current_user, tier)
    except DomainError as error:
        flash(error.message, "error")
        return _campaign_page(competition, campaign, freeze_form=form, status=409)
    flash(_("The final count has been frozen."), "success")
    return redirect(url_for("votes_admin.campaign", slug=slug, campaign_id=campaign.id))


# -- the public -----------------------------------------------------------------------


def _public_campaign(slug: str, campaign_id: int):
    """The category and its competition in one query; 404 as `visible_or_404`
    answers for a draft (its check, on the row already loaded)."""
    campaign = domain.campaign_by_id(campaign_id)
    if campaign is None or campaign.competition.slug != slug or not visible_to(current_user, campaign.competition):
        abort(404)
    return campaign.competition, campaign


def _confirmed_email(campaign) -> str | None:
    """The address this visitor confirmed for the category, or their account's confirmed one."""
    if current_user.is_authenticated and current_user.is_verified:
        return current_user.email
    return (session.get("vote_confirmed") or {}).get(str(campaign.id))


def _pending_email(campaign) -> str | None:
    return (session.get("vote_pending") or {}).get(str(campaign.id))


def _remember(key: str, campaign, email: str | None) -> None:
    kept = dict(session.get(key) or {})
    if email is None:
        kept.pop(str(campaign.id), None)
    else:
        kept[str(campaign.id)] = email
    session[key] = kept


def _vote_page(competition, campaign, *, email_form=None, code_form=None, status=200, refused=None):
    email = _confirmed_email(campaign)
    vote = domain.vote_of(campaign, email) if email else None
    snapshot = domain.latest_snapshot(campaign)
    response = Response(
        render_template(
            "judging/votes/public.html",
            competition=competition,
            campaign=campaign,
            email=email,
            pending=_pending_email(campaign),
            # Confirmed on this device (not the signed-in account's): another person
            # at a shared device (the hall's kiosk) can start again with their address.
            forgettable=bool((session.get("vote_confirmed") or {}).get(str(campaign.id))),
            vote=vote,
            is_open=domain.is_open(campaign),
            tallies=domain.tallies(campaign) if campaign.count_public and snapshot is None else None,
            snapshot=snapshot,
            email_form=email_form or EmailForm(),
            code_form=code_form or CodeForm(),
            confirm_form=ConfirmForm(),
            refused=refused,
        ),
        status=status,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def open_votes(_app, competition_ids: list[int]) -> dict[int, list[OpenVote]]:
    """Receiver of contest.signals.open_votes: each open category, with its public page."""
    found: dict[int, list[OpenVote]] = {}
    for campaign in domain.open_campaigns(competition_ids):
        url = url_for("votes.page", slug=campaign.competition.slug, campaign_id=campaign.id)
        found.setdefault(campaign.competition_id, []).append(OpenVote(campaign.name, url, campaign.closes_at))
    return found


@public.route("/c/<slug>/vote/<int:campaign_id>")
@access("public")
def page(slug, campaign_id):
    competition, campaign = _public_campaign(slug, campaign_id)
    return _vote_page(competition, campaign)


def _back_to_page(slug, campaign):
    """A step's address opened (a reload after its answer, a shared link): the vote's page."""
    return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))


@public.route("/c/<slug>/vote/<int:campaign_id>/code", methods=["GET", "POST"])
@access("public")
@limiter.limit(_address_limit, key_func=_address_key, methods=["POST"])
@limiter.limit(_network_limit, key_func=_network_key, methods=["POST"])
def send_code(slug, campaign_id):
    competition, campaign = _public_campaign(slug, campaign_id)
    if request.method == "GET":
        return _back_to_page(slug, campaign)
    form = EmailForm()
    if not form.validate_on_submit():
        return _vote_page(competition, campaign, email_form=form, status=400)
    try:
        with atomic():
            row = domain.send_code(campaign, form.email.data, locale=str(get_locale() or "vi"))
    except DomainError as error:
        show_domain_error(form, error)
        return _vote_page(competition, campaign, email_form=form, status=400 if error.field else 409)
    _remember("vote_pending", campaign, row.email)
    flash(
        _("A code has been sent to %(email)s. It works for %(n)d minutes.", email=row.email, n=domain.CODE_MINUTES),
        "success",
    )
    return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id) + "#code-step")


@public.route("/c/<slug>/vote/<int:campaign_id>/confirm", methods=["GET", "POST"])
@access("public")
@limiter.limit(_network_limit, key_func=_network_key, methods=["POST"])
def confirm(slug, campaign_id):
    competition, campaign = _public_campaign(slug, campaign_id)
    if request.method == "GET":
        return _back_to_page(slug, campaign)
    form = CodeForm()
    email = _pending_email(campaign)
    if email is None:
        flash(_("Enter your e-mail address first."), "error")
        return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))
    if not form.validate_on_submit():
        return _vote_page(competition, campaign, code_form=form, status=400)
    try:
        # Not in atomic(): a wrong code's attempt is counted and kept with the 400.
        good = domain.confirm_code(campaign, email, form.code.data)
    except DomainError as error:
        show_domain_error(form, error)
        return _vote_page(competition, campaign, code_form=form, status=400)
    if not good:
        form.code.errors = [_("This is not the code we sent. Check the e-mail and try again.")]
        return _vote_page(competition, campaign, code_form=form, status=400)
    _remember("vote_pending", campaign, None)
    _remember("vote_confirmed", campaign, email)
    flash(_("Your address is confirmed. Choose the entry you vote for."), "success")
    return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))


@public.route("/c/<slug>/vote/<int:campaign_id>/forget", methods=["GET", "POST"])
@access("public")
def forget(slug, campaign_id):
    """The "Not you?" button: this device forgets the address confirmed (or waiting for its code)
    for the category, so the next person can confirm theirs. Votes cast stay."""
    _competition, campaign = _public_campaign(slug, campaign_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        _remember("vote_confirmed", campaign, None)
        _remember("vote_pending", campaign, None)
        flash(_("This device no longer votes as that address. Confirm yours to vote."), "success")
    return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))


@public.route("/c/<slug>/vote/<int:campaign_id>/cast", methods=["GET", "POST"])
@access("public")
@limiter.limit(_network_limit, key_func=_network_key, methods=["POST"])
def cast(slug, campaign_id):
    competition, campaign = _public_campaign(slug, campaign_id)
    if request.method == "GET":
        return _back_to_page(slug, campaign)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    email = _confirmed_email(campaign)
    if email is None:
        flash(_("Confirm your e-mail address first."), "error")
        return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))
    entry_id = request.form.get("entry", 0, type=db_id)
    try:  # cast_vote refuses before changing anything: no savepoint needed
        domain.cast_vote(
            campaign,
            entry_id,
            email,
            user_id=current_user.id if current_user.is_authenticated else None,
            network=domain.network_of(get_remote_address()),
        )
    except DomainError as error:
        return _vote_page(competition, campaign, status=409 if error.code == "already_voted" else 400, refused=error)
    flash(_("Thank you: your vote has been counted."), "success")
    return redirect(url_for("votes.page", slug=slug, campaign_id=campaign.id))


@public.route("/c/<slug>/vote/<int:campaign_id>/count")
@access("public")
def count(slug, campaign_id):
    """The live count, served to a crowd like the results page: rendered at most
    once per COUNT_SECONDS for every anonymous visitor, with no query on a hit.
    Hidden until frozen when the category says so."""

    def render() -> bytes:
        competition, campaign = _public_campaign(slug, campaign_id)
        snapshot = domain.latest_snapshot(campaign)
        hidden = not campaign.count_public and snapshot is None
        return render_template(
            "judging/votes/count.html",
            competition=competition,
            campaign=campaign,
            hidden=hidden,
            snapshot=snapshot,
            tallies=None if hidden or snapshot else domain.tallies(campaign),
        ).encode()

    body = cache.cached_page(render, COUNT_SECONDS)
    response = Response(body, mimetype="text/html")
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Vary"] = "Cookie"
        response.headers["Cache-Control"] = f"public, max-age={COUNT_SECONDS}"
    return response
