"""Blueprints: parse the request, call the domain, render."""

from flask import flash


def show_domain_error(form, error) -> None:
    """Put a domain error beside its field when it names one, else on top."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")


def form_status(*forms) -> int:
    """400 when a posted form comes back with errors, so clients and tests can
    tell a refused change from a shown page."""
    return 400 if any(form is not None and form.errors for form in forms) else 200
