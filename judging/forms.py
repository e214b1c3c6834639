from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from contest.forms.accounts import EMAIL_MESSAGE, REQUIRED
from contest.forms.base import Form
from contest.forms.entries import AmountField


class AcceptInviteForm(Form):
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(REQUIRED), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )


class DeclareConflictForm(Form):
    reason = TextAreaField(
        _l("Why you should not score this entry"), validators=[DataRequired(REQUIRED), Length(max=500)]
    )


class InviteJudgeForm(Form):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE, check_deliverability=False)]
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    fields = SelectMultipleField(_l("Fields of expertise"), coerce=int, validators=[Optional()])


class RubricPresetForm(Form):
    preset = SelectField(_l("Start from"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])


class RoundForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    mode = SelectField(_l("Mode"), choices=[("dossier", _l("Dossier review")), ("pitch", _l("Live pitch"))])
    entry_source = SelectField(
        _l("Entries"),
        choices=[("all_valid", _l("All valid entries")), ("advanced", _l("Entries advanced from the previous round"))],
    )
    rubric = SelectField(_l("Rubric"), coerce=int)
    judges_per_entry = IntegerField(
        _l("Judges per entry"), default=3, validators=[DataRequired(REQUIRED), NumberRange(1, 15)]
    )
    blind = BooleanField(_l("Blind review (judges do not see team names)"))
    chair_sees_scores = BooleanField(_l("The chair may see the panel's scores before the lock"))
    presentation_minutes = IntegerField(
        _l("Presentation (minutes)"), default=7, validators=[Optional(), NumberRange(1, 60)]
    )
    questions_minutes = IntegerField(_l("Questions (minutes)"), default=10, validators=[Optional(), NumberRange(0, 60)])


class LockForm(Form):
    reason = TextAreaField(_l("Reason to lock before every sheet is in"), validators=[Optional(), Length(max=500)])


class AddPairForm(Form):
    judge = SelectField(_l("Judge"), coerce=int)
    entry = SelectField(_l("Entry"), coerce=int)


class ChairForm(Form):
    judge = SelectField(_l("Chair of the panel"), coerce=int)


class AwardTierForm(Form):
    """A tier added on the awards page: the prize in whole đồng, typed with or without
    grouping ("50.000.000"); "2e9" or "5tr" is refused, not saved as no prize. The name
    and the limits are checked by judging.domain.awards.add_tier."""

    name = StringField(_l("Award"), validators=[Optional()])
    count = IntegerField(_l("Per board"), default=1, validators=[Optional()])
    prize = AmountField(_l("Prize (đồng)"), validators=[Optional()])
    special = BooleanField(_l("Special prize (given by hand)"))
