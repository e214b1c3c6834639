"""Sessions end on the server: a cookie copied before log-out, a password change
or a reset, or "log out everywhere" no longer signs anyone in."""

from datetime import timedelta

from sqlalchemy import select

from contest.domain import accounts
from contest.models import AuditEvent, LoginSession, SessionEnd
from contest.models.base import utcnow
from tests.factories import PASSWORD, csrf_token, login, make_user

NEW_PASSWORD = "mat-khau-moi-2026"


def _signed_in(client) -> bool:
    """The profile page is for signed-in accounts; others are sent to the log-in page."""
    return client.get("/account/").status_code == 200


def _copy(client, app, *names):
    """A second browser holding copies of `client`'s cookies (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_a_session_cookie_copied_before_log_out_is_refused_after_it(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user)
    thief = _copy(client, app, "session")
    assert _signed_in(thief)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(thief)
    ended = db.session.scalar(select(LoginSession))
    assert ended.end_reason is SessionEnd.logged_out and ended.ended_at is not None


def test_a_remember_me_cookie_copied_before_log_out_is_refused_after_it(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user, remember=True)
    thief = _copy(client, app, "remember_token")  # the remember-me cookie alone
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    assert not _signed_in(thief)


def test_a_password_change_ends_every_other_session_and_keeps_this_device(app, db):
    user = make_user()
    laptop, tablet = app.test_client(), app.test_client()
    login(laptop, user)
    login(tablet, user)
    copied = _copy(laptop, app, "session")
    response = laptop.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(laptop, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert _signed_in(laptop)  # signed in again, with a new session
    assert not _signed_in(tablet)
    assert not _signed_in(copied)  # the laptop's own old cookie too
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.password_changed"))
    assert event.after == {"sessions_ended": 2}


def test_a_password_reset_ends_every_session(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user, remember=True)
    copied = _copy(client, app, "session", "remember_token")
    token = accounts.make_reset_token(user)
    stranger = app.test_client()
    response = stranger.post(
        f"/password/reset/{token}",
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(stranger, f"/password/reset/{token}"),
        },
    )
    assert response.status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(copied)


def test_log_out_everywhere_ends_every_device_this_one_included(app, db):
    user = make_user()
    phone, tablet = app.test_client(), app.test_client()
    login(phone, user, remember=True)
    login(tablet, user)
    page = phone.get("/account/").get_data(as_text=True)
    assert page.count("<tr>") >= 3  # a header row and the two devices
    response = phone.post("/account/logout-everywhere", data={"csrf_token": csrf_token(phone, "/account/")})
    assert response.status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(tablet)
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "account.logged_out_everywhere")) == {
        "sessions_ended": 2
    }


def test_a_remember_me_cookie_rotates_when_it_restores_a_session(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user, remember=True)
    first = client.get_cookie("remember_token").value
    thief = _copy(client, app, "remember_token")
    client.delete_cookie("session")  # the browser was closed
    assert _signed_in(client)  # restored by the remember-me cookie...
    second = client.get_cookie("remember_token").value
    assert second != first  # ...which was replaced
    assert not _signed_in(thief)  # so the copy no longer works


def test_a_remember_me_cookie_expires_on_the_server(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user, remember=True)
    row = db.session.scalar(select(LoginSession))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.delete_cookie("session")
    assert not _signed_in(client)


def test_a_session_without_remember_me_ends_on_the_server_after_its_hours(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user)
    row = db.session.scalar(select(LoginSession))
    assert not row.remember
    hours = (row.expires_at - row.created_at).total_seconds() / 3600
    assert round(hours) == app.config["LOGIN_SESSION_HOURS"]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _signed_in(client)


def test_a_deactivated_account_is_signed_out_at_once(app, db):
    user = make_user()
    client = app.test_client()
    login(client, user)
    user.is_active_account = False
    db.session.commit()
    assert not _signed_in(client)


def test_a_forged_or_old_style_user_id_signs_nobody_in(app, db):
    user = make_user()
    for value in (str(user.id), f"{user.id}.", f"{user.id}.not-a-secret", "x" * 500, f"{user.id + 1}.abc"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = value
        assert not _signed_in(client)


def test_an_administrator_deactivates_an_account_from_the_accounts_page(app, db):
    """Through the page: the account's sessions end (with the reason), it cannot
    sign in again, the change is audited; an administrator cannot deactivate
    themselves, and takes another's administrator role away (audited)."""
    officer, admin, other_admin = (
        make_user("canbo@example.vn"),
        make_user("qt@example.vn", admin=True),
        make_user("qt2@example.vn", admin=True),
    )
    device = app.test_client()
    login(device, officer)
    client = app.test_client()
    login(client, admin)
    token = csrf_token(client, "/admin/users")
    assert client.post(f"/admin/users/{officer.id}/deactivate", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(device)
    again = app.test_client()
    login(again, officer)
    assert not _signed_in(again)
    db.session.expire_all()
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == officer.id)).all()
    assert ended and all(s.end_reason is SessionEnd.deactivated for s in ended)
    client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(type(admin), admin.id).is_active_account
    client.post(f"/admin/users/{other_admin.id}/demote", data={"csrf_token": token})
    client.post(f"/admin/users/{admin.id}/demote", data={"csrf_token": token})
    db.session.expire_all()
    assert not db.session.get(type(admin), other_admin.id).is_admin
    assert db.session.get(type(admin), admin.id).is_admin
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"account.deactivated", "account.admin_removed"} <= actions
