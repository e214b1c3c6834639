"""Who may use a route. Every view declares a rule with `@access(...)`; the
authorization test reads them from the URL map, so a route without one fails.

Rules:
  "public"        anyone
  "login"         any signed-in account
  "admin"         platform administrators
Competition-scoped rules ("competition:organizer", ...) are registered by the
modules that own those roles through `register_rule`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

RuleCheck = Callable[[dict], bool]
_RULES: dict[str, RuleCheck | None] = {
    "public": None,
    "login": None,
    "admin": lambda view_args: current_user.is_admin,
}


def register_rule(name: str, check: RuleCheck) -> None:
    """Add a rule whose check gets the view's URL arguments (after log-in is known)."""
    _RULES[name] = check


def access(*rules: str):
    """Allow the view when ANY of the rules passes."""
    for rule in rules:
        if rule not in _RULES:
            raise ValueError(f"unknown access rule {rule!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if "public" not in rules:
                if not current_user.is_authenticated:
                    if request.path.startswith("/api/"):
                        abort(401)
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                if not any(_RULES[r] is None or _RULES[r](kwargs) for r in rules):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access_rules = rules
        return wrapper

    return decorator


def rules_of(view) -> tuple[str, ...] | None:
    return getattr(view, "access_rules", None)
