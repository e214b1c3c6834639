from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from contest.access import access
from contest.domain import accounts, login_sessions
from contest.domain.errors import DomainError
from contest.extensions import auth_limit, failed_answer, limiter
from contest.forms.accounts import ChangePasswordForm, ProfileForm
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@access("login")
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            with atomic():
                accounts.update_profile(
                    current_user, full_name=form.full_name.data, phone=form.phone.data, locale=form.locale.data
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            session["locale"] = current_user.locale
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("account.profile"))
    return render_template(
        "account/profile.html",
        form=form,
        logout_form=FlaskForm(),
        sessions=login_sessions.current_sessions(current_user.id),
        this_session_id=current_user.login_session.id,
    ), form_status(form)


@bp.route("/logout-everywhere", methods=["POST"])
@access("login")
def logout_everywhere():
    if FlaskForm().validate_on_submit():
        accounts.log_out_everywhere(current_user)
        flash(_("You have been logged out on every device, this one included."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.profile"))


@bp.route("/password", methods=["GET", "POST"])
@access("login")
@limiter.limit(auth_limit, methods=["POST"], deduct_when=failed_answer)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with atomic():
                accounts.change_password(
                    current_user._get_current_object(), form.current_password.data, form.password.data
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form), form_status(form)
