"""The base of every form: WTForms' own messages ("Field cannot be longer
than 150 characters.") come from the app's catalog, because WTForms ships no
Vietnamese translation. The msgids are listed in `wtforms_messages.py` so that
`make messages` extracts them."""

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from contest.domain.plausible_dates import birth_date_problem, company_date_problem, plausible_year


class CatalogTranslations:
    """Raw gettext from the app's catalog: WTForms fills in %(max)d itself."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = CatalogTranslations()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS


class CheckboxesField(SelectMultipleField):
    """A choice of several as a list of checkboxes (easy to tap on a tablet);
    the choices are checked as a multi-select's are."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlausibleYear:
    """A date or time within 2000–2100. A year at either end of the calendar (0001,
    9999) overflows when a Vietnam time is turned into UTC or back: refused here
    with the form's message instead of a 500."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not plausible_year(field.data):
            raise ValidationError(_l("Enter a year such as 2026."))


class PlausibleBirthDate:
    """A date of birth neither in the future nor absurdly old (contest.domain.plausible_dates)."""

    def __call__(self, form, field) -> None:
        problem = birth_date_problem(field.data)
        if problem:
            raise ValidationError(problem)


class PlausibleCompanyDate:
    """A company's registration date neither in the future nor before 1900 (contest.domain.plausible_dates)."""

    def __call__(self, form, field) -> None:
        problem = company_date_problem(field.data)
        if problem:
            raise ValidationError(problem)
