"""The entry form: its fields, labels and lengths come from
contest.domain.entry_fields (lengths from the model's columns). The page's
POST and its JSON autosave are both validated here, so each rule lives once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from contest.domain.entry_fields import (
    DRAFT_FIELDS,
    FIELD_LABELS,
    FUNDING_MAX_DIGITS,
    MEDIA_LABELS,
    STAGE_LABELS,
    TEXT_LIMITS,
    URL_FIELDS,
    clean_text,
)
from contest.forms.accounts import REQUIRED
from contest.forms.base import Form, PlausibleCompanyDate
from contest.i18n import format_number
from contest.models import Entry
from contest.models.base import length_of

STAGES = [("", _l("— choose —"))] + [(stage.value, label) for stage, label in STAGE_LABELS.items()]
MEDIA_TYPES = [("", _l("— choose —"))] + [(medium.value, label) for medium, label in MEDIA_LABELS.items()]
YES_NO = [("", _l("— not given —")), ("yes", _l("Yes")), ("no", _l("No"))]
TOO_LONG = _l("At most %(max)d characters.")


def _link(form, field) -> None:
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("A link starts with http:// or https://"))


def _text(name: str, kind=TextAreaField):
    rules = [Optional(), Length(max=TEXT_LIMITS[name], message=TOO_LONG)]
    return kind(FIELD_LABELS[name], filters=[clean_text], validators=rules + ([_link] if name in URL_FIELDS else []))


class IsoDateField(DateField):
    """A date as the date picker (and the autosave) sends it: 2024-03-15."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a date such as 2024-03-15."))) from None


class AmountField(StringField):
    """Đồng, typed with or without grouping ("500.000.000", "500,000,000"):
    the data is a whole number, or None when left empty."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = str(valuelist[0]).replace(".", "").replace(",", "").replace(" ", "")
        self.data = None
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= FUNDING_MAX_DIGITS):
            raise ValueError(str(_l("Enter an amount in đồng, digits only, such as 500.000.000.")))
        self.data = int(raw) if raw else None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # as typed, after a refusal
        return format_number(self.data) if self.data else ""


class EntryForm(Form):
    """Every field optional here: a draft may be incomplete. Completeness is
    checked by the domain on submission, with every gap listed. A board or
    field id the competition does not have means "not chosen" (the domain
    checks it against the database)."""

    board = SelectField(FIELD_LABELS["board"], validators=[Optional()], validate_choice=False)
    field = SelectField(FIELD_LABELS["field"], validators=[Optional()], validate_choice=False)
    title = _text("title", StringField)
    summary = _text("summary")
    problem = _text("problem")
    solution = _text("solution")
    customers_market = _text("customers_market")
    business_model = _text("business_model")
    stage = SelectField(
        FIELD_LABELS["stage"],
        choices=STAGES,
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([value for value, _label in STAGES if value], message=_l("Choose one of the stages.")),
        ],
    )
    company_registered_on = IsoDateField(
        FIELD_LABELS["company_registered_on"], validators=[Optional(), PlausibleCompanyDate()]
    )
    funding_needed = AmountField(FIELD_LABELS["funding_needed"], validators=[Optional()])
    team_strengths = _text("team_strengths")
    video_url = _text("video_url", URLField)
    website_url = _text("website_url", URLField)
    women_own_majority = SelectField(
        FIELD_LABELS["women_own_majority"],
        choices=YES_NO,
        validate_choice=False,
        validators=[Optional(), AnyOf(["yes", "no"], message=_l("Answer yes or no."))],
    )
    woman_manages = SelectField(
        FIELD_LABELS["woman_manages"],
        choices=YES_NO,
        validate_choice=False,
        validators=[Optional(), AnyOf(["yes", "no"], message=_l("Answer yes or no."))],
    )
    media_type = SelectField(
        FIELD_LABELS["media_type"],
        choices=MEDIA_TYPES,
        validate_choice=False,
        validators=[Optional(), AnyOf([v for v, _label in MEDIA_TYPES if v], message=_l("Choose one of the media."))],
    )
    outlet = StringField(
        FIELD_LABELS["outlet"],
        filters=[clean_text],
        validators=[Optional(), Length(max=length_of(Entry.__table__.c.outlet), message=TOO_LONG)],
    )
    published_on = IsoDateField(FIELD_LABELS["published_on"], validators=[Optional()])
    work_url = URLField(
        FIELD_LABELS["work_url"],
        filters=[clean_text],
        validators=[Optional(), Length(max=length_of(Entry.__table__.c.work_url), message=TOO_LONG), _link],
    )
    gallery_opt_in = BooleanField(FIELD_LABELS["gallery_opt_in"], false_values=("", "false", "0", "off"))

    @classmethod
    def from_json(cls, values: dict) -> tuple[EntryForm, list[str]]:
        """The form filled from the autosave's JSON object (the request's CSRF
        header is checked by CSRFProtect), and which of its fields were sent."""
        sent = [key for key in DRAFT_FIELDS if key in values]

        def text(value) -> str:
            return "" if value is None else ("true" if value is True else "false" if value is False else str(value))

        return cls(formdata=MultiDict({key: text(values[key]) for key in sent}), meta={"csrf": False}), sent

    def draft_values(self, keys=DRAFT_FIELDS) -> tuple[dict, dict[str, str]]:
        """After validate(): the value of each field in `keys`, ready for the
        domain, and a message per field that broke a rule. Such a field is left
        out, except text that is only too long: it is cut to fit and kept, so
        nothing typed is thrown away silently."""
        values: dict = {}
        errors: dict[str, str] = {}
        for key in keys:
            field = self[key]
            if not field.errors:
                values[key] = field.data
                continue
            errors[key] = str(field.errors[-1])
            limit = TEXT_LIMITS.get(key)
            if limit and len(field.errors) == 1 and isinstance(field.data, str) and len(field.data) > limit:
                values[key] = field.data[:limit]
        return values, errors


class UploadForm(Form):
    kind = SelectField(
        _l("Document"),
        choices=[
            ("pitch_deck", _l("Pitch deck (PDF)")),
            ("description", _l("Project description (PDF or DOCX)")),
            ("image", _l("Image (PNG, JPEG or WebP)")),
        ],
    )
    file = FileField(_l("File"), validators=[FileRequired(REQUIRED)])


class ValidityForm(Form):
    validity = SelectField(_l("Result of the check"), choices=[("valid", _l("Valid")), ("invalid", _l("Not valid"))])
    reason = TextAreaField(_l("Reason (the team reads it)"), validators=[Optional(), Length(max=2000)])
