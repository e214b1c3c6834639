from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from contest.forms.accounts import EMAIL_MESSAGE, REQUIRED
from contest.forms.base import Form
from contest.models import OrgUnitKind


def kind_label(kind: OrgUnitKind) -> str:
    return str(KIND_LABELS[kind])


KIND_LABELS = {
    OrgUnitKind.province: _l("Province"),
    OrgUnitKind.city: _l("City"),
    OrgUnitKind.town: _l("Town"),
    OrgUnitKind.district: _l("District"),
    OrgUnitKind.commune: _l("Commune"),
    OrgUnitKind.ward: _l("Ward"),
    OrgUnitKind.special_zone: _l("Special zone"),
    OrgUnitKind.youth_union: _l("Youth Union"),
    OrgUnitKind.womens_union: _l("Women's Union"),
    OrgUnitKind.department: _l("Department"),
    OrgUnitKind.school: _l("School"),
    OrgUnitKind.other: _l("Other"),
}


class OrgUnitForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    parent_code = StringField(_l("Parent unit (code)"), validators=[Optional(), Length(max=32)])
    successor_code = StringField(_l("Successor units (codes)"), validators=[Optional(), Length(max=400)])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_to = DateField(_l("Valid to"), validators=[Optional()])

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class OrgUnitImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(REQUIRED)])


class AppointOfficerForm(Form):
    email = EmailField(
        _l("E-mail of the account"), validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE), Length(max=254)]
    )
    role = SelectField(_l("Role"))
    valid_from = DateField(_l("From"), validators=[Optional()])
    valid_to = DateField(_l("Until"), validators=[Optional()])


class UnitCompetitionForm(Form):
    name = StringField(_l("Name of the competition"), validators=[DataRequired(REQUIRED), Length(max=250)])
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(REQUIRED), NumberRange(2000, 2100, message=_l("Enter a year such as 2026."))],
    )
    # Proposed from the name (static/js/slug.js); left empty, the server proposes it.
    slug = StringField(_l("Web address (slug)"), validators=[Optional(), Length(max=80)])
    preset = SelectField(_l("Start from"))
