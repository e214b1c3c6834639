from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from contest.forms.accounts import EMAIL_MESSAGE, REQUIRED
from contest.forms.base import Form, PlausibleBirthDate

GENDERS = [("", _l("— not given —")), ("female", _l("Female")), ("male", _l("Male")), ("other", _l("Other"))]
PHONE = Regexp(r"^[0-9+ ().-]{8,20}$", message=_l("Enter a phone number of digits, such as 0912 345 678."))


class MemberFieldsMixin:
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional(), PlausibleBirthDate()])
    gender = SelectField(_l("Gender"), choices=GENDERS, validators=[Optional()])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=20), PHONE])
    organisation = StringField(_l("School or workplace"), validators=[Optional(), Length(max=200)])
    role_in_team = StringField(_l("Role in the team"), validators=[Optional(), Length(max=120)])
    is_student = BooleanField(_l("Pupil or student"))
    is_doan_member = BooleanField(_l("Member of the Youth Union (đoàn viên)"))


class NewTeamForm(MemberFieldsMixin, Form):
    name = StringField(_l("Team name"), validators=[DataRequired(REQUIRED), Length(max=150)])
    team_organisation = StringField(
        _l("Team's school, company or organisation"), validators=[Optional(), Length(max=200)]
    )
    org_unit = SelectField(_l("Unit (commune, ward, Youth Union branch...)"), coerce=int, validators=[Optional()])
    show_names_publicly = BooleanField(
        _l("The team's name may appear on public results and in the gallery"), default=True
    )


class MemberForm(MemberFieldsMixin, Form):
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Length(max=254), Email(EMAIL_MESSAGE, check_deliverability=False)]
    )


class JoinForm(MemberFieldsMixin, Form):
    pass


class InviteForm(Form):
    email = EmailField(
        _l("E-mail of the person to invite"),
        validators=[DataRequired(REQUIRED), Length(max=254), Email(EMAIL_MESSAGE, check_deliverability=False)],
    )


class HandOverForm(Form):
    member = SelectField(_l("New leader"), coerce=int)


class ConfirmForm(Form):
    """A bare form for buttons that change state (CSRF only)."""
