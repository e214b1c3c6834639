"""WTForms' built-in messages, marked here only so that `make messages`
extracts them into the app's catalog (see contest/forms/base.py). Never called."""

from flask_babel import gettext, ngettext


def _messages() -> list[str]:  # pragma: no cover - extraction only
    return [
        gettext("This field is required."),
        gettext("Invalid input."),
        gettext("Invalid email address."),
        gettext("Invalid URL."),
        gettext("Not a valid choice."),
        gettext("Not a valid integer value."),
        gettext("Not a valid decimal value."),
        gettext("Not a valid float value."),
        gettext("Not a valid date value."),
        gettext("Not a valid datetime value."),
        gettext("Not a valid time value."),
        gettext("Number must be at least %(min)s."),
        gettext("Number must be at most %(max)s."),
        gettext("Number must be between %(min)s and %(max)s."),
        gettext("Field must be between %(min)d and %(max)d characters long."),
        gettext("Field must be equal to %(other_name)s."),
        gettext("Invalid value, must be one of: %(values)s."),
        ngettext(
            "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1
        ),
        ngettext(
            "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1
        ),
        ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
    ]
