from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from contest.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from contest.forms.base import Form

EMAIL_MESSAGE = _l("Enter a valid e-mail address, such as ten@example.vn.")
REQUIRED = _l("This field is required.")


def email_field(label=None):
    return EmailField(
        label or _l("E-mail"),
        validators=[DataRequired(REQUIRED), Length(max=254), Email(EMAIL_MESSAGE, check_deliverability=False)],
        render_kw={"autocomplete": "email"},
    )


def new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "The password must be %(min)d to %(max)d characters long.",
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field(other: str):
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo(other, message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


def name_field():
    return StringField(
        _l("Full name"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=_l("At most %(max)d characters.", max=120))],
        render_kw={"autocomplete": "name"},
    )


class SignupForm(Form):
    full_name = name_field()
    email = email_field()
    password = new_password_field()
    confirm = confirm_field("password")


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me on this device"))


class ForgotPasswordForm(Form):
    email = email_field()


class ResendVerificationForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = new_password_field(_l("New password"))
    confirm = confirm_field("password")


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_field("password")


class ProfileForm(Form):
    full_name = name_field()
    phone = TelField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[0-9+ ().-]{8,20}$", message=_l("Enter a phone number of digits, such as 0912 345 678.")),
        ],
        render_kw={"autocomplete": "tel"},
    )
    locale = SelectField(_l("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


class LocaleForm(Form):
    locale = SelectField(_l("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])
