"""Who may use a route. Every view declares a rule with `@access(...)`; the
authorization test reads them from the URL map, so a route without one fails.

Rules:
  "public"        anyone
  "login"         any signed-in account
  "admin"         platform administrators
  "session"       a session cookie naming a log-in, without loading the account:
                  for hot JSON paths whose domain checks the account and the
                  login session in its own query (a tablet's score save); see
                  `signed_in`
Competition-scoped rules ("competition:organizer", ...) are registered by the
modules that own those roles through `register_rule`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from contest.domain import login_sessions

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
    """Allow the view when ANY of the rules passes. Rule names are checked when
    the app starts (`check_rules`), once every module has registered its own."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if "session" in rules and login_sessions.signed_in() is not None:
                return view(*args, **kwargs)
            if "public" not in rules:
                if not current_user.is_authenticated:
                    return _anonymous_answer()
                if not _granted(rules, kwargs):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access_rules = rules
        return wrapper

    return decorator


def _granted(rules: tuple[str, ...], view_args: dict) -> bool:
    """Whether a signed-in visitor passes ANY of the rules."""
    return any(_passes(rule, view_args) for rule in rules)


def _passes(rule: str, view_args: dict) -> bool:
    """One rule's answer, asked once per request for the same visitor and URL arguments:
    a page's menu asks the rule of every page it links to, mostly the one the page itself
    was opened under (`g` is the request's: each request has its own app context)."""
    check = _RULES[rule]
    if check is None:
        return True
    key = (
        getattr(current_user, "id", None),
        rule,
        tuple(sorted((name, str(value)) for name, value in view_args.items())),
    )
    answers = g.setdefault("access_answers", {})
    if key not in answers:
        answers[key] = bool(check(view_args))
    return answers[key]


def allows(endpoint: str, **view_args) -> bool:
    """Whether the visitor may open `endpoint` with these URL arguments: the check `access`
    makes there, for a page that would link to it (a link that would answer 403 is shown as
    text instead). A page its rule finds missing (404) is not one to open either."""
    rules = rules_of(current_app.view_functions.get(endpoint))
    if rules is None:
        return False
    if "public" in rules or ("session" in rules and login_sessions.signed_in() is not None):
        return True
    if not current_user.is_authenticated:
        return False
    try:
        return _granted(rules, view_args)
    except HTTPException:
        return False


def signed_in() -> tuple[int, str] | None:
    """(account id, login session's secret hash) for a "session" route, still to
    be checked by its domain's query. Loads the account only when the session
    cookie names nobody and a remember-me cookie may (which restores the session)."""
    named = login_sessions.signed_in()
    if named is None and current_user.is_authenticated:
        named = login_sessions.signed_in()
    return named


def _anonymous_answer():
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def refuse_anonymous(view):
    """For a request whose body is not read yet: what `access` answers when the
    view needs a signed-in user and the request is not signed in; else None."""
    rules = rules_of(view)
    if not rules or "public" in rules:
        return None
    if "session" in rules and login_sessions.signed_in() is not None:
        return None
    if current_user.is_authenticated:
        return None
    return _anonymous_answer()


def check_rules(app) -> None:
    """Refuse to start when a view names a rule that no module registered."""
    unknown = sorted(
        {
            f"{endpoint}: {rule}"
            for endpoint, view in app.view_functions.items()
            for rule in (rules_of(view) or ())
            if rule not in _RULES
        }
    )
    if unknown:
        raise RuntimeError("unknown access rules: " + "; ".join(unknown))


def rules_of(view) -> tuple[str, ...] | None:
    return getattr(view, "access_rules", None)
