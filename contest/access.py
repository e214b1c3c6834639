"""Who may use a route. Every view declares a rule with `@access(...)`; the
authorization test reads them from the URL map, so a route without one fails.

Rules:
  "public"        anyone
  "login"         any signed-in account
  "admin"         platform administrators
  "session"       a signed-in session, without loading the account: for hot JSON
                  paths whose domain checks the account in its own query
                  (a tablet's score save); see `signed_in_user_id`
Competition-scoped rules ("competition:organizer", ...) are registered by the
modules that own those roles through `register_rule`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, session, url_for
from flask_login import current_user

RuleCheck = Callable[[dict], bool]
_RULES: dict[str, RuleCheck | None] = {
    "public": None,
    "login": None,
    "session": None,
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
            if "session" in rules and _session_user_id() is not None:
                return view(*args, **kwargs)
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


def _session_user_id() -> int | None:
    value = session.get("_user_id")   # where Flask-Login keeps the signed-in account
    return int(value) if isinstance(value, str) and value.isdigit() else None


def signed_in_user_id() -> int | None:
    """The signed-in account's id; loads the account only when the session does
    not name it (signed in by the remember-me cookie)."""
    user_id = _session_user_id()
    if user_id is None and current_user.is_authenticated:
        user_id = current_user.id
    return user_id


def rules_of(view) -> tuple[str, ...] | None:
    return getattr(view, "access_rules", None)
