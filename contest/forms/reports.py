from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.domain.followup import OUTCOME_LABELS
from contest.forms.accounts import REQUIRED
from contest.forms.base import Form

# The database's columns hold numbers up to these (integer, and bigint for đồng); a
# larger one is a slip of the finger, refused here rather than by the database (a 500).
COUNT_MAX = 1_000_000
COUNT = _l("Enter a whole number from 0 to one million.")
AMOUNT_MAX = 999_999_999_999_999
AMOUNT = _l("Enter the amount in đồng: a whole number of at most 15 digits.")


class OutcomeForm(Form):
    kind = SelectField(
        _l("What happened"),
        choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    occurred_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date, such as 15/03/2026."))])
    detail = StringField(_l("Where, from whom or which certification"), validators=[Optional(), Length(max=300)])
    registration_number = StringField(_l("Enterprise registration number"), validators=[Optional(), Length(max=40)])
    amount = IntegerField(
        _l("Amount (đồng)"), validators=[Optional(), NumberRange(min=0, max=AMOUNT_MAX, message=AMOUNT)]
    )
    jobs = IntegerField(_l("Jobs created"), validators=[Optional(), NumberRange(min=0, max=COUNT_MAX, message=COUNT)])
    source = StringField(_l("Source (how this is known)"), validators=[DataRequired(REQUIRED), Length(max=300)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class TargetForm(Form):
    start_year = IntegerField(_l("From year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    end_year = IntegerField(_l("To year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    indicator = SelectField(_l("Indicator"), validators=[DataRequired(REQUIRED)])
    low = IntegerField(
        _l("Lower target"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=COUNT_MAX, message=COUNT)]
    )
    high = IntegerField(
        _l("Upper target"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=COUNT_MAX, message=COUNT)]
    )


class FigureForm(Form):
    indicator = SelectField(_l("Indicator"), validators=[DataRequired(REQUIRED)])
    year = IntegerField(_l("Year"), validators=[DataRequired(REQUIRED), NumberRange(2000, 2100)])
    value = IntegerField(
        _l("Number that year"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=COUNT_MAX, message=COUNT)]
    )
    source_document = StringField(
        _l("Source document (report, decision, list)"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
