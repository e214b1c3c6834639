from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from contest import signals
from contest.access import access
from contest.domain import accounts, login_sessions, login_throttle, teams
from contest.domain.competitions import find_by_slug, visible_to
from contest.domain.errors import DomainError
from contest.extensions import (
    auth_limit,
    failed_answer,
    limiter,
    login_address_limit,
    mail_limit,
)
from contest.forms.accounts import (
    ForgotPasswordForm,
    LoginForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SignupForm,
)
from contest.i18n import select_locale
from contest.security import safe_next
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("auth", __name__)


def _next_path() -> str | None:
    """The local page the person was going to (`?next=`), or None: never another site."""
    return safe_next(request.args.get("next"), "") or None


def _coming_for(next_path: str | None) -> str | None:
    """What the log-in or sign-up page says about where the person is going:
    the team invitation they are accepting, the competition they register for,
    or what a package built on contest says of its page (`signals.coming_for`)."""
    if not next_path:
        return None
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(urlsplit(next_path).path, method="GET")
    except HTTPException:  # not a page of ours (or a redirect to one)
        return None
    if endpoint == "teams.accept_invite":
        try:
            invitation = teams.invitation_from_token(args["token"])
        except DomainError:
            return None  # the invitation page says what is wrong with it
        return _(
            "You are accepting the invitation to join the team %(team)s in %(competition)s. Log in to accept it; "
            "no account yet? Create one, and after you confirm your e-mail address you come back to the invitation.",
            team=invitation.team.name,
            competition=invitation.team.competition.name,
        )
    if endpoint == "teams.new":
        competition = find_by_slug(args["slug"])
        if competition is None or not visible_to(current_user, competition):  # a draft's name shows nowhere
            return None
        return _(
            "Log in to register a team for %(competition)s; no account yet? Create one, and after you confirm "
            "your e-mail address you come back to the registration.",
            competition=competition.name,
        )
    # A page of a package built on contest (a judge's invitation): it says what it is about.
    said = [text for text in signals.collect(signals.coming_for, endpoint=endpoint, view_args=args) if text]
    return said[0] if said else None


@bp.route("/signup", methods=["GET", "POST"])
@access("public")
@limiter.limit(mail_limit, methods=["POST"])
def signup():
    form = SignupForm()
    next_path = _next_path()
    if form.validate_on_submit():
        accounts.sign_up(
            form.email.data, form.password.data, form.full_name.data, locale=select_locale(), next_path=next_path
        )
        return render_template(
            "auth/check_mail.html", email=accounts.normalize_email(form.email.data), next_path=next_path
        )
    return render_template(
        "auth/signup.html", form=form, next_path=next_path, coming_for=_coming_for(next_path)
    ), form_status(form)


@bp.route("/verify-email/<token>")
@access("public")
def verify_email(token):
    try:
        with atomic():
            verified = accounts.verify_email(token)
    except DomainError as error:
        # A new link asked for from here still leads where this one did (only a local page).
        resend_next = safe_next(accounts.next_of_verify_token(token), "") or None
        return render_template(
            "auth/token_problem.html", message=error.message, resend=True, resend_next=resend_next
        ), 400
    flash(_("Your e-mail address is confirmed. You can log in now."), "success")
    # Back to where the person was going when they signed up (only a local page).
    next_path = safe_next(verified.next_path, "") or None
    return redirect(url_for("auth.login", next=next_path) if next_path else url_for("auth.login"))


@bp.route("/verify-email/resend", methods=["GET", "POST"])
@access("public")
@limiter.limit(mail_limit, methods=["POST"])
def resend_verification():
    form = ResendVerificationForm()
    next_path = _next_path()  # the new link leads there too, as the first one did
    if form.validate_on_submit():
        accounts.resend_verification(form.email.data, locale=select_locale(), next_path=next_path)
        return render_template(
            "auth/check_mail.html", email=accounts.normalize_email(form.email.data), next_path=next_path
        )
    return render_template("auth/resend.html", form=form, coming_for=_coming_for(next_path)), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
@access("public")
@limiter.limit(login_address_limit, methods=["POST"], deduct_when=login_throttle.attempt_failed)
def login():
    next_path = _next_path()
    next_url = next_path or url_for("main.index")
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = login_throttle.authenticate(form.email.data, form.password.data)
        except login_throttle.AccountLocked as locked:
            flash(locked.message, "error")
            return (
                render_template("auth/login.html", form=form, next_path=next_path, coming_for=_coming_for(next_path)),
                429,
                {"Retry-After": str(locked.retry_after)},
            )
        if user is None:
            flash(_("The e-mail or password is not correct."), "error")
        elif not user.is_verified:
            flash(
                _(
                    "Please confirm your e-mail address first: open the link we mailed you. "
                    "You can ask for a new link below."
                ),
                "error",
            )
            return redirect(url_for("auth.resend_verification", **({"next": next_path} if next_path else {})))
        else:
            login_sessions.sign_in(user, remember=form.remember.data)
            accounts.record_login(user)
            return redirect(next_url)
    return render_template(
        "auth/login.html", form=form, next_path=next_path, coming_for=_coming_for(next_path)
    ), form_status(form)


@bp.route("/logout", methods=["POST"])
@access("login")
def logout():
    login_sessions.sign_out()
    flash(_("You have logged out."), "success")
    response = redirect(url_for("main.index"))
    # The device forgets the account's offline pages, documents and score queue.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@access("public")
@limiter.limit(mail_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    next_path = _next_path()  # after the new password, the log-in leads there
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, locale=select_locale(), next_path=next_path)
        return render_template(
            "auth/check_mail.html", email=accounts.normalize_email(form.email.data), reset=True, next_path=next_path
        )
    return render_template("auth/forgot.html", form=form, coming_for=_coming_for(next_path)), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@access("public")
@limiter.limit(auth_limit, methods=["POST"], deduct_when=failed_answer)
def reset_password(token):
    # Where the person was going when they asked for the link (only a local page).
    next_path = safe_next(accounts.next_of_reset_token(token), "") or None
    try:
        accounts.check_reset_token(token)
    except DomainError as error:
        return render_template("auth/token_problem.html", message=error.message, reset=True, reset_next=next_path), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with atomic():
                user = accounts.reset_password(token, form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            login_throttle.clear(user.email)  # the mailed link proves the owner: log-in is open again
            flash(_("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("auth.login", next=next_path) if next_path else url_for("auth.login"))
    return render_template("auth/reset.html", form=form), form_status(form)
