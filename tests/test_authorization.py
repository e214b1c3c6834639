"""The authorization table: every route with the roles that may use it.

Generated checks against the app's URL map: a route missing from the table, or
a view without an `@access` rule, fails the suite. Each route is then requested
as every role and must be allowed or refused exactly as the table says.
Later issues add roles (team member, judge, organizer, ...) and routes."""

from __future__ import annotations

import pytest

from contest.access import rules_of
from tests.factories import login, make_unit, make_user

ANON, USER, ADMIN = "anonymous", "user", "admin"
EVERYONE = {ANON, USER, ADMIN}
SIGNED_IN = {USER, ADMIN}
ADMINS = {ADMIN}

TABLE: dict[str, set[str]] = {
    "main.index": EVERYONE,
    "main.healthz": EVERYONE,
    "main.set_locale": EVERYONE,
    "auth.signup": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.verify_email": EVERYONE,
    "auth.resend_verification": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "account.profile": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "admin.index": ADMINS,
    "admin.orgunits_list": ADMINS,
    "admin.orgunit_new": ADMINS,
    "admin.orgunit_edit": ADMINS,
    "admin.orgunits_import": ADMINS,
    "admin.outbox": ADMINS,
    "admin.users": ADMINS,
    "admin.audit_log": ADMINS,
}


def _endpoints(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_route_is_in_the_table_and_declares_a_rule(app):
    endpoints = _endpoints(app)
    missing = sorted(set(endpoints) - set(TABLE))
    stale = sorted(set(TABLE) - set(endpoints))
    assert not missing, f"routes without an authorization entry: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"
    undeclared = sorted(e for e in endpoints if rules_of(app.view_functions[e]) is None)
    assert not undeclared, f"views without @access: {undeclared}"


def _url_args(app, db):
    unit = make_unit("AUTHZ", "Đơn vị kiểm thử")
    return {"unit_id": unit.id, "token": "not-a-real-token"}


def _is_refused(role: str, response) -> bool:
    if role == ANON:
        return response.status_code == 302 and "/login" in response.location
    return response.status_code == 403


@pytest.fixture
def authz_app(database_url, tmp_path):
    """CSRF off here so that only the access rules are under test; CSRF has its own test."""
    from tests.conftest import empty_tables, make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=False, UPLOAD_FOLDER=str(tmp_path))
    with app.app_context():
        yield app
        from contest.extensions import db

        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def test_each_role_is_allowed_or_refused_as_the_table_says(authz_app):
    from contest.extensions import db

    args = _url_args(authz_app, db)
    users = {USER: make_user("nguoidung@example.vn"), ADMIN: make_user("quantri@example.vn", admin=True)}
    failures = []
    for endpoint, rule in _endpoints(authz_app).items():
        values = {name: args[name] for name in rule.arguments}
        with authz_app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **values)
        method = "GET" if "GET" in rule.methods else "POST"
        for role in (ANON, USER, ADMIN):
            client = authz_app.test_client()
            if role != ANON:
                login(client, users[role])
            response = client.open(url, method=method)
            allowed = role in TABLE[endpoint]
            if allowed == _is_refused(role, response):
                failures.append(f"{method} {url} as {role}: {response.status_code} (allowed={allowed})")
    assert not failures, "\n".join(failures)


def test_every_state_changing_route_requires_csrf(app):
    """Every POST route refuses a request without a CSRF token."""
    client = app.test_client()
    for endpoint, rule in _endpoints(app).items():
        if "POST" not in rule.methods:
            continue
        values = {name: 1 if name.endswith("_id") else "x" for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **values)
        response = client.post(url, data={})
        assert response.status_code == 400, f"{url} accepted a POST without CSRF"
