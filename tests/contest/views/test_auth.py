"""Accounts through the real pages: sign-up, verification, log-in, reset."""

import re

import pytest
from sqlalchemy import select

from contest.domain.accounts import make_reset_token, make_verify_token
from contest.domain.outbox import send_due
from contest.models import AuditEvent, User
from tests.conftest import first_link, mail_text
from tests.factories import PASSWORD, csrf_token, login, make_user


def _signup(client, **overrides):
    data = {
        "full_name": "Nguyễn Thị Hồng Nhung",
        "email": "Nhung@Example.VN",
        "password": "mot-mat-khau-dai",
        "confirm": "mot-mat-khau-dai",
    }
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/signup")
    return client.post("/signup", data=data)


def test_signup_verify_login_logout(client, mail_app, db, smtp_server):
    response = _signup(client)
    assert response.status_code == 200
    assert "nhung@example.vn" in response.get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert user.email == "nhung@example.vn" and not user.is_verified

    # Unverified accounts cannot log in yet.
    response = client.post(
        "/login",
        data={"email": "nhung@example.vn", "password": "mot-mat-khau-dai", "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302 and "/verify-email/resend" in response.location

    send_due()
    message = smtp_server.wait_for(1)[0]
    assert message["Subject"] == "Xác nhận địa chỉ e-mail của bạn"
    link = first_link(message, "/verify-email/")
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 302
    db.session.refresh(user)
    assert user.is_verified

    again = client.get(path)
    assert again.status_code == 400
    assert "đã được sử dụng" in again.get_data(as_text=True)

    response = login(client, user, password="mot-mat-khau-dai")
    assert response.status_code == 302
    assert "Nguyễn Thị Hồng Nhung" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/account/").status_code == 302


def test_signup_with_a_taken_address_reveals_nothing(client, mail_app, db, smtp_server):
    make_user("nhung@example.vn")
    first = _signup(client, email="NHUNG@example.vn")
    second = _signup(client, email="someone.new@example.vn")
    strip = lambda html: re.sub(r"[\w.]+@example\.vn|value=\"[^\"]+\"", "", html)  # noqa: E731
    assert first.status_code == second.status_code == 200
    assert strip(first.get_data(as_text=True)) == strip(second.get_data(as_text=True))
    assert db.session.scalar(select(User).where(User.email == "nhung@example.vn")) is not None
    send_due()
    owner_mail = smtp_server.wait_for(2) and smtp_server.to("nhung@example.vn")
    assert owner_mail and "/password/forgot" in owner_mail[0].get_body().get_content()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"full_name": ""}, "Trường này là bắt buộc."),
        ({"full_name": "A" * 121}, "Tối đa 120 ký tự."),
        ({"email": "khong-phai-email"}, "Hãy nhập một địa chỉ e-mail hợp lệ"),
        ({"password": "ngan", "confirm": "ngan"}, "Mật khẩu phải dài từ 10 đến 128 ký tự."),
        ({"confirm": "khac-hoan-toan-roi"}, "Hai mật khẩu không khớp nhau."),
    ],
)
def test_bad_signup_input_gets_a_clear_message_and_keeps_what_was_typed(client, db, overrides, message):
    response = _signup(client, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    typed_name = overrides.get("full_name", "Nguyễn Thị Hồng Nhung")
    if typed_name:
        assert f'value="{typed_name}"' in html
    assert db.session.scalar(select(User)) is None


def test_login_never_reveals_whether_an_account_exists(client, db):
    make_user("co-tai-khoan@example.vn")
    token = csrf_token(client, "/login")
    wrong_password = client.post(
        "/login", data={"email": "co-tai-khoan@example.vn", "password": "sai-mat-khau-roi", "csrf_token": token}
    )
    no_account = client.post(
        "/login", data={"email": "khong-co@example.vn", "password": "sai-mat-khau-roi", "csrf_token": token}
    )
    assert wrong_password.status_code == no_account.status_code == 200
    assert "E-mail hoặc mật khẩu không đúng." in wrong_password.get_data(as_text=True)
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong_password.get_data(as_text=True)) == strip(no_account.get_data(as_text=True))


def test_login_redirects_only_inside_the_site(client, db):
    user = make_user()
    token = csrf_token(client, "/login")
    for evil in ("https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(
            f"/login?next={evil}", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        assert response.location == "/", evil
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post(
        "/login?next=/account/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.location == "/account/"


def test_remember_me_sets_a_long_lived_cookie(client, db):
    user = make_user()
    response = login(client, user, remember=True)
    assert any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))
    other = client.application.test_client()
    response = login(other, user)
    assert not any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))


def test_password_reset_is_single_use_and_reveals_nothing_for_unknown_addresses(client, mail_app, db, smtp_server):
    user = make_user("quen@example.vn")
    pages = []
    for email in ("quen@example.vn", "khong-ton-tai@example.vn"):
        response = client.post(
            "/password/forgot", data={"email": email, "csrf_token": csrf_token(client, "/password/forgot")}
        )
        assert response.status_code == 200
        assert "Nếu có tài khoản" in response.get_data(as_text=True)
        # The pages differ only in the address and the CSRF token (signed with the second it was made in).
        page = re.sub(r"[\w.-]+@example\.vn", "", response.get_data(as_text=True))
        pages.append(re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", page))
    assert pages[0] == pages[1]
    send_due()
    assert len(smtp_server.wait_for(2)) == 2
    # The address without an account is told so (both answers do the same work: one mail each), with no link to use.
    unknown = mail_text(smtp_server.to("khong-ton-tai@example.vn")[0])
    assert "không có tài khoản nào dùng địa chỉ này" in unknown and "/password/reset/" not in unknown
    assert "/signup" in unknown
    path = "/" + first_link(smtp_server.to("quen@example.vn")[0], "/password/reset/").split("/", 3)[3]

    bad = client.post(
        path, data={"password": "moi-mat-khau-1", "confirm": "khac-mat-khau-1", "csrf_token": csrf_token(client, path)}
    )
    assert "Hai mật khẩu không khớp nhau." in bad.get_data(as_text=True)

    ok = client.post(
        path, data={"password": "moi-mat-khau-1", "confirm": "moi-mat-khau-1", "csrf_token": csrf_token(client, path)}
    )
    assert ok.status_code == 302
    reused = client.get(path)
    assert reused.status_code == 400 and "đã được sử dụng" in reused.get_data(as_text=True)
    assert login(client, user, password="moi-mat-khau-1").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.password_reset"))


def test_expired_and_forged_tokens_are_refused(client, app, db):
    user = make_user(verified=False)
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    expired = client.get(f"/verify-email/{make_verify_token(user)}")
    assert expired.status_code == 400 and "hết hạn" in expired.get_data(as_text=True)
    forged = client.get("/verify-email/abc.def.ghi")
    assert forged.status_code == 400 and "không hợp lệ" in forged.get_data(as_text=True)
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    assert client.get(f"/password/reset/{make_reset_token(user)}").status_code == 400


def test_change_password_and_profile(client, mail_app, db, smtp_server):
    user = make_user()
    login(client, user)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "sai-sai-sai-sai",
            "password": "mat-khau-moi-2",
            "confirm": "mat-khau-moi-2",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "mat-khau-moi-2",
            "confirm": "mat-khau-moi-2",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert ok.status_code == 302

    bad_phone = client.post(
        "/account/",
        data={"full_name": "Lê Văn Tám", "phone": "abc", "locale": "vi", "csrf_token": csrf_token(client, "/account/")},
    )
    html = bad_phone.get_data(as_text=True)
    assert "Hãy nhập số điện thoại" in html and 'value="Lê Văn Tám"' in html
    client.post(
        "/account/",
        data={
            "full_name": "Lê Văn Tám",
            "phone": "0912 345 678",
            "locale": "en",
            "csrf_token": csrf_token(client, "/account/"),
        },
    )
    db.session.refresh(user)
    assert (user.full_name, user.phone, user.locale) == ("Lê Văn Tám", "0912 345 678", "en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_email_is_unique_regardless_of_case(db):
    from sqlalchemy.exc import IntegrityError

    make_user("hoa@example.vn")
    with pytest.raises(IntegrityError):
        db.session.add(User(email="HOA@example.vn", full_name="x", password_hash="x"))
        db.session.commit()
    db.session.rollback()


def test_forms_refuse_posts_without_csrf(client, db):
    response = client.post("/login", data={"email": "a@example.vn", "password": "x" * 12})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


@pytest.fixture
def limited(database_url, db):
    """The app with rate limits on (the test config turns them off), counting in memory."""
    from contest.extensions import limiter
    from tests.conftest import make_app

    app = make_app(database_url, RATELIMIT_ENABLED=True)
    try:
        yield app
    finally:
        limiter.reset()


LOCKED = "quá nhiều lần đăng nhập sai với địa chỉ e-mail này"
WRONG = "khong-phai-mat-khau"


def _from(app, address):
    """A browser of its own at this network address, with the log-in form's CSRF token."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf_token(client, "/login")


def _login(client, token, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_fifty_judges_behind_one_address_all_log_in(limited):
    judges = [make_user(f"giam-khao-{i}@example.vn") for i in range(50)]
    answers = []
    for i, judge in enumerate(judges):
        client, token = _from(limited, "10.20.30.40")  # the venue's one public address
        if i % 5 == 0:  # every fifth mistypes once first
            assert _login(client, token, judge.email, WRONG).status_code == 200
        answers.append(_login(client, token, judge.email, PASSWORD).status_code)
        assert client.get("/account/").status_code == 200
    assert answers == [302] * 50


def test_one_account_attacked_from_many_addresses_is_locked_even_for_its_right_password(limited, db):
    user = make_user("bi-do-mat-khau@example.vn")
    for i in range(10):
        client, token = _from(limited, f"203.0.113.{i}")
        wrong = _login(client, token, user.email, WRONG)
        assert wrong.status_code == 200 and "E-mail hoặc mật khẩu không đúng." in wrong.get_data(as_text=True)
    client, token = _from(limited, "192.0.2.200")  # the owner, from an address of their own
    locked = _login(client, token, user.email, PASSWORD)
    html = locked.get_data(as_text=True)
    assert locked.status_code == 429 and LOCKED in html and "15 phút" in html
    assert 840 < int(locked.headers["Retry-After"]) <= 900
    assert 'value="bi-do-mat-khau@example.vn"' in html  # the form keeps what was typed
    assert client.get("/account/").status_code == 302  # not logged in
    db.session.refresh(user)
    assert user.last_login_at is None


def test_an_unknown_address_gets_the_same_answers_as_a_known_one(limited):
    make_user("co-tai-khoan@example.vn")
    strip = lambda html: re.sub(r'[\w.-]+@example\.vn|value="[^"]*"', "", html)  # noqa: E731
    seen = {}
    for email in ("co-tai-khoan@example.vn", "khong-co-ai@example.vn"):
        answers = []
        for i in range(12):
            client, token = _from(limited, f"203.0.113.{i}")
            response = _login(client, token, email, WRONG)
            answers.append(
                (
                    response.status_code,
                    response.headers.get("Retry-After") is not None,
                    strip(response.get_data(as_text=True)),
                )
            )
        seen[email] = answers
    assert seen["co-tai-khoan@example.vn"] == seen["khong-co-ai@example.vn"]
    assert [code for code, _, _ in seen["khong-co-ai@example.vn"]] == [200] * 10 + [429] * 2
    assert LOCKED in seen["khong-co-ai@example.vn"][10][2]


def test_many_failures_from_one_address_across_accounts_hit_the_address_limit(limited):
    users = [make_user(f"nan-nhan-{i}@example.vn") for i in range(21)]
    client, token = _from(limited, "198.51.100.66")
    codes = [_login(client, token, user.email, WRONG).status_code for user in users]
    assert codes == [200] * 20 + [429]  # RATELIMIT_LOGIN_ADDRESS: 20 failures a minute
    blocked = _login(client, token, users[0].email, PASSWORD)
    assert blocked.status_code == 429 and "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    assert LOCKED not in blocked.get_data(as_text=True)  # no account is locked, only this address
    elsewhere, other_token = _from(limited, "198.51.100.67")
    assert _login(elsewhere, other_token, users[0].email, PASSWORD).status_code == 302


def test_a_password_reset_opens_a_locked_account_again(limited):
    from contest.domain.accounts import make_reset_token

    user = make_user("khoa-roi@example.vn")
    for i in range(11):
        client, token = _from(limited, f"203.0.113.{i}")
        _login(client, token, user.email, WRONG)
    path = f"/password/reset/{make_reset_token(user)}"
    client, token = _from(limited, "192.0.2.1")
    assert _login(client, token, user.email, PASSWORD).status_code == 429
    reset = client.post(
        path,
        data={"password": "mat-khau-moi-2027", "confirm": "mat-khau-moi-2027", "csrf_token": csrf_token(client, path)},
    )
    assert reset.status_code == 302
    assert _login(client, token, user.email, "mat-khau-moi-2027").status_code == 302


def test_forms_that_check_a_secret_count_only_refusals(limited):
    from contest.domain.accounts import make_reset_token

    users = [make_user(f"dat-lai-{i}@example.vn") for i in range(15)]
    client, _token = _from(limited, "10.20.30.40")
    for user in users:  # a whole room resets its passwords from one address: none refused
        path = f"/password/reset/{make_reset_token(user)}"
        response = client.post(
            path,
            data={
                "password": "mat-khau-moi-2027",
                "confirm": "mat-khau-moi-2027",
                "csrf_token": csrf_token(client, path),
            },
        )
        assert response.status_code == 302
    forged = [client.post("/password/reset/abc.def.ghi", data={"csrf_token": _token}).status_code for _ in range(11)]
    assert forged == [400] * 10 + [429]  # RATELIMIT_AUTH: 10 refusals a minute


def test_a_class_signs_up_from_one_address(limited):
    client, _token = _from(limited, "10.20.30.40")
    codes = [_signup(client, email=f"hoc-sinh-{i}@example.vn").status_code for i in range(21)]
    assert codes == [200] * 20 + [429]  # sign-up sends mail: RATELIMIT_MAIL, 20 a minute


def test_forms_that_check_a_secret_or_send_mail_are_rate_limited(database_url, db):
    from contest.extensions import limiter
    from tests.conftest import make_app
    from tests.factories import make_competition, make_team

    limited = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_MAIL="3 per minute")
    user = make_user("gioi-han@example.vn")
    team = make_team(make_competition("gioi-han-2026"), user)
    client = limited.test_client()
    try:
        login(client, user)
        token = csrf_token(client, "/account/password")
        wrong = {
            "current_password": "khong-dung-mat-khau",
            "password": "mat-khau-moi-rat-dai-2026",
            "confirm": "mat-khau-moi-rat-dai-2026",
            "csrf_token": token,
        }
        passwords = [client.post("/account/password", data=wrong).status_code for _ in range(11)]
        invites = [
            client.post(
                f"/teams/{team.id}/invite", data={"email": f"ban{i}@example.vn", "csrf_token": token}
            ).status_code
            for i in range(4)
        ]
    finally:
        limiter.reset()
    assert 429 not in passwords[:10] and passwords[10] == 429
    assert 429 not in invites[:3] and invites[3] == 429


def test_log_out_tells_the_browser_to_forget_what_it_keeps(client, db):
    user = make_user()
    login(client, user)
    page = client.get("/").get_data(as_text=True)
    # The page's own script forgets too, where the header is not honoured.
    assert f'<meta name="account" content="{user.id}">' in page and "data-forget-device" in page
    assert "js/device-data.js" in page
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    anonymous = client.get("/").get_data(as_text=True)
    assert 'name="account"' not in anonymous and "device-data.js" not in anonymous


def _invitation_token(team, email):
    """Invite `email` to `team` and read the token from the queued mail."""
    from contest.domain.teams import invite
    from contest.extensions import db
    from contest.models import OutboxMessage

    invite(team, email, team.leader)
    db.session.commit()
    body = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).one().body_text
    return re.search(r"/invite/(\S+)", body).group(1)


def test_an_invitee_who_is_not_logged_in_is_told_what_they_are_accepting(client, db):
    from tests.factories import make_competition, make_team

    competition = make_competition()
    team = make_team(competition, name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "ban-moi@example.vn")
    response = client.get(f"/invite/{token}")
    assert response.status_code == 302 and "/login?next=" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Bạn đang nhận lời mời tham gia đội Tỏi đen Lý Sơn dự thi " + competition.name in page
    # "Create an account" keeps the invitation.
    signup_link = re.search(r'href="(/signup\?next=[^"]+)"', page).group(1)
    assert f"%2Finvite%2F{token}" in signup_link or f"/invite/{token}" in signup_link
    signup_page = client.get(signup_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Tỏi đen Lý Sơn" in signup_page


def test_signing_up_from_an_invitation_leads_back_to_it_after_verifying(client, mail_app, db, smtp_server):
    from tests.factories import make_competition, make_team

    team = make_team(make_competition(), name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "nhung@example.vn")
    data = {
        "full_name": "Nguyễn Thị Hồng Nhung",
        "email": "nhung@example.vn",
        "password": "mot-mat-khau-dai",
        "confirm": "mot-mat-khau-dai",
        "csrf_token": csrf_token(client, "/signup"),
    }
    response = client.post(f"/signup?next=/invite/{token}", data=data)
    assert response.status_code == 200 and "đưa bạn trở lại" in response.get_data(as_text=True)
    send_due()
    link = [m for m in smtp_server.wait_for(2) if "/verify-email/" in mail_text(m)][0]
    path = first_link(link, "/verify-email/").split("localhost", 1)[1]
    response = client.get(path)
    assert response.status_code == 302
    assert response.location == f"/login?next=/invite/{token}"
    user = db.session.scalar(select(User).where(User.email == "nhung@example.vn"))
    response = client.post(
        response.location, data={"email": user.email, "password": "mot-mat-khau-dai", "csrf_token": data["csrf_token"]}
    )
    assert response.status_code == 302 and response.location == f"/invite/{token}"
    assert "Tham gia đội" in client.get(response.location).get_data(as_text=True)


def test_a_new_account_goes_back_to_the_team_registration_of_its_competition(client, mail_app, db, smtp_server):
    from tests.factories import make_competition

    competition = make_competition("khoi-nghiep-2026")
    page = client.get(f"/c/{competition.slug}").get_data(as_text=True)
    assert f'href="/signup?next=/c/{competition.slug}/team/new"' in page
    login_page = client.get(f"/login?next=/c/{competition.slug}/team/new").get_data(as_text=True)
    assert f"Đăng nhập để đăng ký đội dự thi {competition.name}" in login_page
    _signup(client, email="doi-moi@example.vn")  # without next: the plain way still works
    response = client.post(
        f"/signup?next=/c/{competition.slug}/team/new",
        data={
            "full_name": "Lê Văn Tám",
            "email": "tam@example.vn",
            "password": "mot-mat-khau-dai",
            "confirm": "mot-mat-khau-dai",
            "csrf_token": csrf_token(client, "/signup"),
        },
    )
    assert response.status_code == 200
    send_due()
    message = next(m for m in smtp_server.wait_for(2) if m["To"] == "tam@example.vn")
    path = first_link(message, "/verify-email/").split("localhost", 1)[1]
    assert client.get(path).location == f"/login?next=/c/{competition.slug}/team/new"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/x"]
)
def test_a_sign_up_never_leads_to_another_site(client, mail_app, db, smtp_server, evil):
    response = client.post(
        "/signup",
        query_string={"next": evil},
        data={
            "full_name": "Lê Văn Tám",
            "email": "tam@example.vn",
            "password": "mot-mat-khau-dai",
            "confirm": "mot-mat-khau-dai",
            "csrf_token": csrf_token(client, "/signup"),
        },
    )
    assert response.status_code == 200
    send_due()
    path = first_link(smtp_server.wait_for(1)[0], "/verify-email/").split("localhost", 1)[1]
    assert client.get(path).location == "/login"
    # A token made with a foreign `next` (not by the sign-up page) is still only followed to a local page.
    user = db.session.scalar(select(User).where(User.email == "tam@example.vn"))
    user.email_verified_at = None
    db.session.commit()
    assert client.get(f"/verify-email/{make_verify_token(user, evil)}").location == "/login"


def test_signing_up_again_from_an_invitation_mails_a_log_in_link_that_keeps_it(client, mail_app, db, smtp_server):
    """The address has an account already: the mail its owner gets leads to the invitation too."""
    from tests.factories import make_competition, make_team

    make_user("nhung@example.vn")
    team = make_team(make_competition(), name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "nhung@example.vn")
    response = _signup(client, email="nhung@example.vn")  # the plain way first: no invitation in its link
    response = client.post(
        f"/signup?next=/invite/{token}",
        data={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "email": "nhung@example.vn",
            "password": "mot-mat-khau-dai",
            "confirm": "mot-mat-khau-dai",
            "csrf_token": csrf_token(client, "/signup"),
        },
    )
    assert response.status_code == 200
    send_due()
    links = [first_link(m, "/login") for m in smtp_server.wait_for(3) if "/login" in mail_text(m)]
    assert [link.split("localhost", 1)[1] for link in links] == ["/login", f"/login?next=/invite/{token}"]


def _resend(client, email, next_path=None):
    path = "/verify-email/resend"
    return client.post(
        path,
        query_string={"next": next_path} if next_path else {},
        data={"email": email, "csrf_token": csrf_token(client, path)},
    )


def test_asking_again_for_the_confirmation_mail_keeps_the_invitation(client, mail_app, db, smtp_server):
    """'Did not get the confirmation mail?' from the log-in page of an invitation: the new link leads back to it."""
    from tests.factories import make_competition, make_team

    team = make_team(make_competition(), name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "nhung@example.vn")
    user = make_user("nhung@example.vn", verified=False)
    login_path = f"/login?next=/invite/{token}"
    page = client.get(login_path).get_data(as_text=True)
    resend_link = re.search(r'href="(/verify-email/resend[^"]*)"', page).group(1).replace("&amp;", "&")
    assert resend_link == f"/verify-email/resend?next=/invite/{token}"
    # Logging in before confirming leads to the same page, with the invitation kept.
    response = client.post(
        login_path, data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    )
    assert response.status_code == 302 and response.location == resend_link
    assert "Tỏi đen Lý Sơn" in client.get(resend_link).get_data(as_text=True)

    response = _resend(client, user.email, f"/invite/{token}")
    assert response.status_code == 200 and "đưa bạn trở lại" in response.get_data(as_text=True)
    send_due()
    message = next(m for m in smtp_server.wait_for(2) if "/verify-email/" in mail_text(m))
    path = first_link(message, "/verify-email/").split("localhost", 1)[1]
    assert client.get(path).location == f"/login?next=/invite/{token}"


def test_an_expired_confirmation_link_asks_for_a_new_one_that_keeps_where_it_led(client, app, db):
    user = make_user("nhung@example.vn", verified=False)
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    expired = client.get(f"/verify-email/{make_verify_token(user, '/c/khoi-nghiep-2026/team/new')}")
    assert expired.status_code == 400
    assert 'href="/verify-email/resend?next=/c/khoi-nghiep-2026/team/new"' in expired.get_data(as_text=True)
    plain = client.get(f"/verify-email/{make_verify_token(user)}").get_data(as_text=True)
    assert 'href="/verify-email/resend"' in plain
    foreign = client.get(f"/verify-email/{make_verify_token(user, '//evil.example/x')}").get_data(as_text=True)
    assert 'href="/verify-email/resend"' in foreign and "evil" not in foreign


def test_asking_again_keeps_the_way_back_in_every_answer(client, mail_app, db, smtp_server):
    """A confirmed account's mail links to the log-in, an unknown address's to the sign-up, both keeping `next`;
    another site is never kept."""
    make_user("da-xac-nhan@example.vn")
    make_user("chua-xac-nhan@example.vn", verified=False)
    _resend(client, "da-xac-nhan@example.vn", "/c/khoi-nghiep-2026/team/new")
    _resend(client, "khong-co@example.vn", "/c/khoi-nghiep-2026/team/new")
    _resend(client, "chua-xac-nhan@example.vn", "https://evil.example/x")
    send_due()
    smtp_server.wait_for(3)
    (confirmed,) = smtp_server.to("da-xac-nhan@example.vn")
    assert "/login?next=/c/khoi-nghiep-2026/team/new" in first_link(confirmed, "/login")
    assert "/password/forgot?next=/c/khoi-nghiep-2026/team/new" in first_link(confirmed, "/password/forgot")
    (unknown,) = smtp_server.to("khong-co@example.vn")
    assert "/signup?next=/c/khoi-nghiep-2026/team/new" in first_link(unknown, "/signup")
    (unconfirmed,) = smtp_server.to("chua-xac-nhan@example.vn")
    path = first_link(unconfirmed, "/verify-email/").split("localhost", 1)[1]
    assert client.get(path).location == "/login"


def _reset_path(message) -> str:
    return "/" + first_link(message, "/password/reset/").split("/", 3)[3]


def _new_password(client, path):
    password = "moi-mat-khau-1"
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": csrf_token(client, path)})


def test_a_forgotten_password_from_an_invitation_leads_back_to_it(client, mail_app, db, smtp_server):
    """'Forgot your password?' on the log-in page of an invitation: after the new password, the log-in leads to it."""
    from tests.factories import make_competition, make_team

    team = make_team(make_competition(), name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "nhung@example.vn")
    user = make_user("nhung@example.vn")
    page = client.get(f"/login?next=/invite/{token}").get_data(as_text=True)
    forgot_link = re.search(r'href="(/password/forgot[^"]*)"', page).group(1).replace("&amp;", "&")
    assert forgot_link == f"/password/forgot?next=/invite/{token}"
    assert "Tỏi đen Lý Sơn" in client.get(forgot_link).get_data(as_text=True)

    response = client.post(forgot_link, data={"email": user.email, "csrf_token": csrf_token(client, forgot_link)})
    assert response.status_code == 200 and "đưa trở lại" in response.get_data(as_text=True)
    send_due()
    message = next(m for m in smtp_server.wait_for(2) if "/password/reset/" in mail_text(m))
    path = _reset_path(message)
    assert client.get(path).status_code == 200
    response = _new_password(client, path)
    assert response.status_code == 302 and response.location == f"/login?next=/invite/{token}"
    response = client.post(
        response.location,
        data={"email": user.email, "password": "moi-mat-khau-1", "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302 and response.location == f"/invite/{token}"
    # A used link asks for a new one that still leads there.
    used = client.get(path).get_data(as_text=True)
    assert f'href="/password/forgot?next=/invite/{token}"' in used


@pytest.mark.parametrize("evil", ["https://evil.example/x", "//evil.example/x", "/\\evil.example"])
def test_a_forgotten_password_never_leads_to_another_site(client, mail_app, db, smtp_server, evil):
    user = make_user("quen@example.vn")
    response = client.post(
        "/password/forgot",
        query_string={"next": evil},
        data={"email": user.email, "csrf_token": csrf_token(client, "/password/forgot")},
    )
    assert response.status_code == 200
    assert _send_again_form(response.get_data(as_text=True))[0] == "/password/forgot"
    send_due()
    path = _reset_path(smtp_server.wait_for(1)[0])
    assert "evil" not in path
    assert _new_password(client, path).location == "/login"
    # A token made with a foreign `next` (not by the forgot-password page) is still only followed to a local page.
    foreign = f"/password/reset/{make_reset_token(user, evil)}"
    assert client.get(foreign).status_code == 200
    assert _new_password(client, foreign).location == "/login"


def test_an_expired_reset_link_asks_for_a_new_one_that_keeps_where_it_led(client, app, db):
    user = make_user("quen@example.vn")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    expired = client.get(f"/password/reset/{make_reset_token(user, '/c/khoi-nghiep-2026/team/new')}")
    assert expired.status_code == 400
    assert 'href="/password/forgot?next=/c/khoi-nghiep-2026/team/new"' in expired.get_data(as_text=True)
    plain = client.get(f"/password/reset/{make_reset_token(user)}").get_data(as_text=True)
    assert 'href="/password/forgot"' in plain


def test_a_forgotten_password_for_an_unknown_address_keeps_the_way_back_in_the_sign_up_link(
    client, mail_app, db, smtp_server
):
    path = "/password/forgot?next=/c/khoi-nghiep-2026/team/new"
    client.post(path, data={"email": "khong-co@example.vn", "csrf_token": csrf_token(client, path)})
    send_due()
    (unknown,) = smtp_server.wait_for(1)
    assert "/signup?next=/c/khoi-nghiep-2026/team/new" in first_link(unknown, "/signup")


def _send_again_form(page: str) -> tuple[str, dict]:
    """The 'Send the mail again' form of a 'Check your mail' page: where it posts, and what."""
    form = re.search(r'<form method="post" action="([^"]+)" id="send-again".*?</form>', page, re.S)
    assert form, "no 'send again' form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)))
    return form.group(1).replace("&amp;", "&"), fields


def test_check_your_mail_sends_the_confirmation_again_keeping_the_invitation(client, mail_app, db, smtp_server):
    from tests.factories import make_competition, make_team

    team = make_team(make_competition(), name="Tỏi đen Lý Sơn")
    token = _invitation_token(team, "nhung@example.vn")
    response = client.post(
        f"/signup?next=/invite/{token}",
        data={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "email": "Nhung@Example.VN",
            "password": "mot-mat-khau-dai",
            "confirm": "mot-mat-khau-dai",
            "csrf_token": csrf_token(client, "/signup"),
        },
    )
    page = response.get_data(as_text=True)
    assert "Gửi lại thư" in page and "yêu cầu gửi lại" in page
    action, fields = _send_again_form(page)
    assert action == f"/verify-email/resend?next=/invite/{token}"
    assert fields["email"] == "nhung@example.vn" and fields["csrf_token"]

    again = client.post(action, data=fields)
    assert again.status_code == 200 and "đưa bạn trở lại" in again.get_data(as_text=True)
    assert _send_again_form(again.get_data(as_text=True))[0] == action  # and again, from the new page
    send_due()
    links = [first_link(m, "/verify-email/") for m in smtp_server.wait_for(3) if "/verify-email/" in mail_text(m)]
    assert len(links) == 2  # the sign-up's and the one asked for again
    assert client.get(links[-1].split("localhost", 1)[1]).location == f"/login?next=/invite/{token}"


def test_check_your_mail_sends_the_reset_link_again(client, mail_app, db, smtp_server):
    user = make_user("quen@example.vn")
    plain = client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf_token(client, "/")})
    assert _send_again_form(plain.get_data(as_text=True))[0] == "/password/forgot"
    path = "/password/forgot?next=/c/khoi-nghiep-2026/team/new"
    response = client.post(path, data={"email": user.email, "csrf_token": csrf_token(client, path)})
    action, fields = _send_again_form(response.get_data(as_text=True))
    assert action == path and fields["email"] == user.email
    assert client.post(action, data=fields).status_code == 200
    send_due()
    messages = smtp_server.wait_for(3)
    assert len(messages) == 3
    reset = _reset_path(messages[-1])
    assert _new_password(client, reset).location == "/login?next=/c/khoi-nghiep-2026/team/new"
    # Without a way back, the plain page asks again for the plain link.
    signup = _signup(client)
    assert _send_again_form(signup.get_data(as_text=True))[0] == "/verify-email/resend"
