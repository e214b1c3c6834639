from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import Length, Optional

from contest.forms.accounts import REQUIRED
from contest.forms.base import Form

STAGES = [("", _l("— choose —")), ("idea", _l("Idea")), ("prototype", _l("Prototype")),
          ("on_market", _l("On the market")), ("registered_company", _l("Registered company"))]


class EntryForm(Form):
    """Every field optional here: a draft may be incomplete. Completeness is
    checked by the domain on submission, with every gap listed."""

    board = SelectField(_l("Board"), validators=[Optional()])
    field = SelectField(_l("Field"), validators=[Optional()])
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=250)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    problem = TextAreaField(_l("Problem"), validators=[Optional(), Length(max=5000)])
    solution = TextAreaField(_l("Solution"), validators=[Optional(), Length(max=5000)])
    customers_market = TextAreaField(_l("Customers and market"), validators=[Optional(), Length(max=5000)])
    business_model = TextAreaField(_l("Business model"), validators=[Optional(), Length(max=5000)])
    stage = SelectField(_l("Stage"), choices=STAGES, validators=[Optional()])
    company_registered_on = DateField(_l("Date of business registration"), validators=[Optional()])
    funding_needed = StringField(_l("Funding needed (đồng)"), validators=[Optional(), Length(max=25)])
    team_strengths = TextAreaField(_l("Team strengths"), validators=[Optional(), Length(max=3000)])
    video_url = URLField(_l("Video link"), validators=[Optional(), Length(max=500)])
    website_url = URLField(_l("Website"), validators=[Optional(), Length(max=500)])
    gallery_opt_in = BooleanField(_l("Show in the public gallery"))


class UploadForm(Form):
    kind = SelectField(_l("Document"), choices=[("pitch_deck", _l("Pitch deck (PDF)")),
                                                ("description", _l("Project description (PDF or DOCX)")),
                                                ("image", _l("Image (PNG, JPEG or WebP)"))])
    file = FileField(_l("File"), validators=[FileRequired(REQUIRED)])


class ValidityForm(Form):
    validity = SelectField(_l("Result of the check"), choices=[("valid", _l("Valid")), ("invalid", _l("Not valid"))])
    reason = TextAreaField(_l("Reason (the team reads it)"), validators=[Optional(), Length(max=2000)])
