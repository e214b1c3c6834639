from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from contest.domain.reporting_cycle import BUDGET_MAX, LINE_LIMITS
from contest.forms.accounts import REQUIRED
from contest.forms.base import CheckboxesField, Form
from contest.forms.entries import TOO_LONG, AmountField
from contest.forms.reports import COUNT, COUNT_MAX
from contest.i18n import format_number
from contest.models import ActivityKind, ReportKind

ACTIVITY_LABELS = {
    ActivityKind.forum: _l("Forum"),
    ActivityKind.training: _l("Training"),
    ActivityKind.workshop: _l("Workshop"),
    ActivityKind.exhibition: _l("Exhibition"),
    ActivityKind.techfest: _l("Techfest participation"),
    ActivityKind.club: _l("Startup club formed"),
    ActivityKind.coworking: _l("Co-working space"),
    ActivityKind.support_organisation: _l("Support organisation formed"),
    ActivityKind.service_area: _l("Concentrated service area"),
    ActivityKind.incubation: _l("Incubation of a project"),
    ActivityKind.mentoring: _l("Mentoring of a project"),
    ActivityKind.fund_decision: _l("Fund decision"),
}


class ActivityForm(Form):
    kind = SelectField(
        _l("What kind"), choices=[(k.value, v) for k, v in ACTIVITY_LABELS.items()], validators=[DataRequired(REQUIRED)]
    )
    title = StringField(_l("What took place"), validators=[DataRequired(REQUIRED), Length(max=300)])
    occurred_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date, such as 15/03/2026."))])
    participants = IntegerField(
        _l("Participants"),
        validators=[Optional(), NumberRange(min=0, max=COUNT_MAX, message=COUNT)],
    )
    task = SelectField(_l("Task of the plan it serves"), validators=[Optional()])
    evidence_url = StringField(
        _l("Evidence (a link to the news, decision or photos)"), validators=[Optional(), Length(max=500)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    # Đề án 1665's student clubs: a startup club's school. The choices are the schools in existence
    # (set by the view); the domain decides (only a club, only a school), so the choice is not checked here.
    school_id = SelectField(_l("School the club belongs to"), validators=[Optional()], validate_choice=False)

    def validate_school_id(self, field):
        raw = str(field.data or "")
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
            raise ValidationError(_l("Choose the club's school from the list of schools."))


class ExpectedUnitsForm(Form):
    """The units expected to report for a year (the Department's choice)."""

    units = CheckboxesField(_l("Units expected to report"), coerce=int, choices=[])


def _line_text(label, key: str, kind=StringField):
    return kind(label, validators=[Optional(), Length(max=LINE_LIMITS[key], message=TOO_LONG)])


def _budget_limit(form, field) -> None:
    if field.data is not None and field.data > BUDGET_MAX:
        raise ValidationError(_("The budget is at most %(amount)s đồng.", amount=format_number(BUDGET_MAX)))


class PlanLineForm(Form):
    """One task's line of a unit's plan (the page repeats it, prefixed "line-<task>"; made with
    meta={"csrf": False}: the page's own form carries the token)."""

    what = _line_text(_l("What"), "what", TextAreaField)
    when = _line_text(_l("When"), "when")
    budget = AmountField(_l("Budget estimate (đồng)"), validators=[Optional(), _budget_limit])
    source = _line_text(_l("Source of funds"), "source")


class ResultLineForm(Form):
    """One task's line of a unit's results (as PlanLineForm)."""

    result = _line_text(_l("Results"), "result", TextAreaField)


LINE_FORMS = {ReportKind.plan: PlanLineForm, ReportKind.results: ResultLineForm}
