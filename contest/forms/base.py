"""The base of every form: WTForms' own messages ("Field cannot be longer
than 150 characters.") come from the app's catalog, because WTForms ships no
Vietnamese translation. The msgids are listed in `wtforms_messages.py` so that
`make messages` extracts them."""

from flask_babel import get_translations
from flask_wtf import FlaskForm


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
