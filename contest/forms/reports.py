from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.domain.followup import OUTCOME_LABELS
from contest.forms.accounts import REQUIRED
from contest.forms.base import Form

WHOLE = _l("Enter a whole number, 0 or more.")


class OutcomeForm(Form):
    kind = SelectField(
        _l("What happened"),
        choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    occurred_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date, such as 15/03/2026."))])
    detail = StringField(_l("Where, from whom or which certification"), validators=[Optional(), Length(max=300)])
    registration_number = StringField(_l("Enterprise registration number"), validators=[Optional(), Length(max=40)])
    amount = IntegerField(_l("Amount (đồng)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    jobs = IntegerField(_l("Jobs created"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    source = StringField(_l("Source (how this is known)"), validators=[DataRequired(REQUIRED), Length(max=300)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class TargetForm(Form):
    start_year = IntegerField(_l("From year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    end_year = IntegerField(_l("To year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    indicator = SelectField(_l("Indicator"), validators=[DataRequired(REQUIRED)])
    low = IntegerField(_l("Lower target"), validators=[InputRequired(REQUIRED), NumberRange(min=0, message=WHOLE)])
    high = IntegerField(_l("Upper target"), validators=[InputRequired(REQUIRED), NumberRange(min=0, message=WHOLE)])


class FigureForm(Form):
    indicator = SelectField(_l("Indicator"), validators=[DataRequired(REQUIRED)])
    year = IntegerField(_l("Year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    value = IntegerField(
        _l("Number that year"), validators=[InputRequired(REQUIRED), NumberRange(min=0, message=WHOLE)]
    )
    source_document = StringField(
        _l("Source document (report, decision, list)"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
