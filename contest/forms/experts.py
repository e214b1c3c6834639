from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from contest.domain.experts import CONFLICT_LABELS, PUBLIC_FIELD_LABELS, ROLE_LABELS
from contest.forms.accounts import REQUIRED
from contest.forms.base import CheckboxesField, Form, PlausibleYear

DATE_MESSAGE = _l("Enter the date, such as 15/03/2026.")


class ExpertForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    org_unit = SelectField(_l("Unit"), coerce=int, choices=[], default=0)
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    fields = StringField(
        _l("Fields of expertise"), validators=[Optional(), Length(max=1000)], description=_l("Separated by commas.")
    )
    roles = CheckboxesField(_l("Roles"), choices=[(k.value, v) for k, v in ROLE_LABELS.items()])
    bio = TextAreaField(_l("Short introduction"), validators=[Optional(), Length(max=2000)])
    available = BooleanField(_l("Available for new contests and projects"), default=True)

    def field_list(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in (self.fields.data or "").split(",") if part.strip())


class OwnRecordForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    fields = StringField(_l("Fields of expertise"), validators=[Optional(), Length(max=1000)])
    bio = TextAreaField(_l("Short introduction"), validators=[Optional(), Length(max=2000)])
    available = BooleanField(_l("Available for new contests and projects"))
    photo = FileField(_l("Photo (PNG, JPEG or WebP)"))

    def field_list(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in (self.fields.data or "").split(",") if part.strip())


class ConsentForm(Form):
    consent = BooleanField(_l("List me in the public directory of experts"))
    public_fields = CheckboxesField(
        _l("What the public may see besides my name"), choices=[(k, v) for k, v in PUBLIC_FIELD_LABELS.items()]
    )


class CertificationForm(Form):
    programme = StringField(_l("Programme or course"), validators=[DataRequired(REQUIRED), Length(max=300)])
    issuer = StringField(_l("Issuing body"), validators=[DataRequired(REQUIRED), Length(max=300)])
    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=80)])
    issued_on = DateField(_l("Date of issue"), validators=[DataRequired(DATE_MESSAGE), PlausibleYear()])
    expires_on = DateField(_l("Expiry date"), validators=[Optional(), PlausibleYear()])
    scan = FileField(_l("Scan (PDF, PNG or JPEG)"))


class RemoveCertificationForm(Form):
    reason = StringField(
        _l("Why it is removed"),
        validators=[DataRequired(_l("Say why the certification is removed.")), Length(max=500)],
    )


class EndConflictForm(Form):
    """Only the CSRF token: the conflict ends on the day it is ended."""


class DeclaredConflictForm(Form):
    kind = SelectField(
        _l("Kind"), choices=[(k.value, v) for k, v in CONFLICT_LABELS.items()], validators=[DataRequired(REQUIRED)]
    )
    name = StringField(
        _l("Name of the company, school or project"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    registration_number = StringField(_l("Enterprise registration number"), validators=[Optional(), Length(max=40)])
    detail = StringField(_l("Details"), validators=[Optional(), Length(max=500)])


class MentorshipForm(Form):
    project = SelectField(_l("Project"), coerce=int, choices=[], validators=[DataRequired(REQUIRED)])
    starts_on = DateField(_l("Mentoring from"), validators=[DataRequired(DATE_MESSAGE), PlausibleYear()])
    ends_on = DateField(_l("Mentoring until"), validators=[Optional(), PlausibleYear()])
    org_unit = SelectField(_l("Unit whose programme it belongs to"), coerce=int, choices=[], default=0)


class MentoringSessionForm(Form):
    held_on = DateField(_l("Date"), validators=[DataRequired(DATE_MESSAGE), PlausibleYear()])
    topic = StringField(_l("Topic"), validators=[DataRequired(REQUIRED), Length(max=300)])
    hours = StringField(_l("Hours"), validators=[DataRequired(REQUIRED), Length(max=8)])
