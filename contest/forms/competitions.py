from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from contest.domain.uploads import WORK_FILE_MAX_MB
from contest.forms.accounts import EMAIL_MESSAGE, REQUIRED
from contest.forms.base import Form, PlausibleYear


class NewCompetitionForm(Form):
    name = StringField(_l("Name of the competition"), validators=[DataRequired(REQUIRED), Length(max=250)])
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(REQUIRED), NumberRange(2000, 2100, message=_l("Enter a year such as 2026."))],
    )
    # Proposed from the name as it is typed (static/js/slug.js); left empty, the server proposes it.
    slug = StringField(_l("Web address (slug)"), validators=[Optional(), Length(max=80)])
    org_unit = SelectField(_l("Organising unit"), coerce=int)
    preset = SelectField(_l("Start from"))


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CompetitionSettingsForm(Form):
    # The status is part of this form, so a change of status sends (and saves)
    # the dates typed beside it; choices are set by the view.
    state = SelectField(_l("Status"))
    name = StringField(_l("Name of the competition"), validators=[DataRequired(REQUIRED), Length(max=250)])
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(REQUIRED), NumberRange(2000, 2100, message=_l("Enter a year such as 2026."))],
    )
    description = TextAreaField(_l("Description and rules"), validators=[Optional(), Length(max=20000)])
    rules_document = FileField(_l("Rules document (PDF)"))
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format="%Y-%m-%dT%H:%M", validators=[Optional(), PlausibleYear()]
    )
    submission_deadline = DateTimeLocalField(
        _l("Submission deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional(), PlausibleYear()]
    )
    timeline = TextAreaField(
        _l("Round dates"),
        validators=[Optional(), Length(max=4000)],
        description=_l("One per line: date, then what happens. Example: 2026-10-15 Vòng sơ khảo"),
    )
    boards = TextAreaField(
        _l("Boards"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("One per line: code, then name. Example: Y Bảng Ý tưởng"),
    )
    fields = TextAreaField(
        _l("Fields"), validators=[DataRequired(REQUIRED), Length(max=4000)], description=_l("One field per line.")
    )
    team_min = IntegerField(_l("Smallest team"), validators=[DataRequired(REQUIRED), NumberRange(1, 50)])
    team_max = IntegerField(_l("Largest team"), validators=[DataRequired(REQUIRED), NumberRange(1, 50)])
    age_min = IntegerField(_l("Minimum age"), validators=[Optional(), NumberRange(0, 120)])
    age_max = IntegerField(_l("Maximum age"), validators=[Optional(), NumberRange(0, 120)])
    max_company_age_years = IntegerField(
        _l("Companies at most this many years old"), validators=[Optional(), NumberRange(0, 100)]
    )
    max_entries_per_person = IntegerField(
        _l("Entries per person, at most"), validators=[Optional(), NumberRange(1, 100)]
    )
    max_entries_per_org = IntegerField(
        _l("Entries per organisation or unit, at most"), validators=[Optional(), NumberRange(1, 1000)]
    )
    restrict_to_unit = BooleanField(_l("Only teams of the organising unit or units under it"))
    gallery_enabled = BooleanField(_l("Public gallery of entries"))
    takes_youth_nominations = BooleanField(_l("Take nominations from youth startup contests"))
    work_file_max_mb = IntegerField(
        _l("Largest file of a press work, in MB (media award)"),
        validators=[Optional(), NumberRange(1, WORK_FILE_MAX_MB)],
        description=_l("The article's PDF, or the radio or television recording (MP3 or MP4)."),
    )
    ideas_only = BooleanField(_l("Ideas only: refuse entries whose project already has an enterprise or sells"))

    def validate_boards(self, field):
        for line in _lines(field.data):
            code, _sep, name = line.partition(" ")
            if not name.strip() or len(code) > 8:
                raise ValidationError(_l("Each line needs a short code (up to 8 characters), a space, then the name."))

    def validate_timeline(self, field):
        from datetime import date

        for line in _lines(field.data):
            day, _sep, label = line.partition(" ")
            try:
                date.fromisoformat(day)
            except ValueError as exc:
                raise ValidationError(_l("Each line starts with a date such as 2026-10-15.")) from exc
            if not label.strip():
                raise ValidationError(_l("Say what happens on each date."))

    def board_pairs(self) -> list[tuple[str, str]]:
        return [(line.partition(" ")[0], line.partition(" ")[2].strip()) for line in _lines(self.boards.data)]

    def field_names(self) -> list[str]:
        return _lines(self.fields.data)

    def timeline_items(self):
        from datetime import date

        return [
            (date.fromisoformat(line.partition(" ")[0]), line.partition(" ")[2].strip())
            for line in _lines(self.timeline.data)
        ]


class StateForm(Form):
    """A move that cannot be undone, confirmed on its own page: its button sends
    confirm=yes (read by the view; a hidden field here would send it empty too)."""

    state = HiddenField()


class GrantRoleForm(Form):
    email = EmailField(
        _l("E-mail of the account"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE, check_deliverability=False)],
    )
    role = SelectField(
        _l("Role"), choices=[("organizer", _l("Organizing committee")), ("secretariat", _l("Secretariat"))]
    )


class ProposeForm(Form):
    entry_id = IntegerField(validators=[DataRequired(REQUIRED)])
    target = SelectField(_l("Nominate to"), coerce=int)


class WithdrawNominationForm(Form):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class DecideNominationForm(Form):
    decision = SelectField(_l("Decision"), choices=[("accept", _l("Accept")), ("decline", _l("Decline"))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class QuotaForm(Form):
    org_unit = SelectField(_l("Nominating unit"), coerce=int)
    quota = IntegerField(_l("At most (empty: no quota)"), validators=[Optional(), NumberRange(0, 1000)])
