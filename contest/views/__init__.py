"""Blueprints: parse the request, call the domain, render."""

from flask import abort, flash
from flask_login import current_user


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


def visible_or_404(slug: str):
    """The competition of a page under /c/<slug>/: 404 when there is none, or
    when it is a draft and the visitor is not one of its organizers, so a
    draft's name shows nowhere before it opens. Every /c/<slug>/ route calls
    this (tests/test_authorization.py walks them all)."""
    from contest.domain.competitions import find_by_slug, visible_to

    competition = find_by_slug(slug)
    if competition is None or not visible_to(current_user, competition):
        abort(404)
    return competition
