"""Invitations keep their context. A team invitee without an account, on a
phone: the log-in page says which team and competition the invitation is for,
signing up instead keeps it, and the confirmation link leads back to it. A
visitor who signs up from a competition's page comes back to that
competition's team registration. A judge's invitation names the competition."""

import re
import time

from playwright.sync_api import expect

from contest.extensions import db
from tests.browser.conftest import check_accessibility
from tests.conftest import first_link, mail_text
from tests.factories import make_competition, make_team, make_user

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PASSWORD = "mat-khau-that-dai"


def _mail_to(smtp_server, address, containing):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in smtp_server.to(address):
            if containing in mail_text(message):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} containing {containing!r}")


def _sign_up(page, name, email):
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").tap()
    page.get_by_role("heading", name="Hãy kiểm tra hộp thư").wait_for()


def _log_in(page, email):
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()


def test_a_team_invitee_signs_up_and_comes_back_to_the_invitation(live_server, smtp_server, new_page):
    from contest.domain.teams import invite

    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        team = make_team(competition, make_user("truong.nhom@example.vn"), name="Tỏi đen Lý Sơn")
        invite(team, "ban.moi@example.vn", team.leader)
        competition_name = competition.name
        db.session.commit()
    link = first_link(_mail_to(smtp_server, "ban.moi@example.vn", "/invite/"), "/invite/")

    page = new_page(PHONE_390)
    page.goto(link)
    # The log-in page says what is being accepted.
    context = page.locator("#coming-for")
    expect(context).to_contain_text(f"lời mời tham gia đội Tỏi đen Lý Sơn dự thi {competition_name}")
    check_accessibility(page)

    # No account yet: signing up keeps the invitation.
    page.get_by_role("link", name="Tạo tài khoản").tap()
    expect(page.locator("#coming-for")).to_contain_text("Tỏi đen Lý Sơn")
    _sign_up(page, "Trần Văn Bình", "ban.moi@example.vn")
    expect(page.get_by_text("đưa bạn trở lại")).to_be_visible()

    # The confirmation link leads back to the invitation (through the log-in).
    page.goto(first_link(_mail_to(smtp_server, "ban.moi@example.vn", "/verify-email/"), "/verify-email/"))
    page.get_by_text("Đã xác nhận địa chỉ e-mail.").wait_for()
    expect(page.locator("#coming-for")).to_contain_text("Tỏi đen Lý Sơn")
    _log_in(page, "ban.moi@example.vn")
    page.get_by_role("heading", name="Tham gia đội Tỏi đen Lý Sơn").wait_for()
    assert re.search(r"/invite/[^/?#]+$", page.url), page.url
    page.get_by_label("Ngày sinh").fill("2001-02-03")
    page.get_by_role("button", name="Tham gia đội").tap()
    page.get_by_role("heading", name="Tỏi đen Lý Sơn").wait_for()


def test_a_new_team_comes_back_to_its_competition_after_confirming(live_server, smtp_server, new_page):
    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        slug, name = competition.slug, competition.name

    page = new_page(PHONE_390)
    page.goto(f"{live_server.url}/c/{slug}")
    page.get_by_role("link", name="Tạo tài khoản để đăng ký đội dự thi").tap()
    expect(page.locator("#coming-for")).to_contain_text(f"đăng ký đội dự thi {name}")
    _sign_up(page, "Lê Thị Thu", "le.thu@example.vn")
    page.goto(first_link(_mail_to(smtp_server, "le.thu@example.vn", "/verify-email/"), "/verify-email/"))
    page.get_by_text("Đã xác nhận địa chỉ e-mail.").wait_for()
    _log_in(page, "le.thu@example.vn")
    page.get_by_role("heading", name="Đăng ký đội").wait_for()
    assert page.url == f"{live_server.url}/c/{slug}/team/new"
    expect(page.get_by_role("link", name=name)).to_be_visible()
    check_accessibility(page)


def test_the_judge_invitation_names_the_competition(live_server, smtp_server, new_page):
    from judging.domain.judges import invite_judge

    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        invite_judge(
            competition,
            email="giam.khao@sokhcn.vn",
            full_name="Phạm Minh Đức",
            organisation=None,
            field_ids=[],
            invited_by=make_user(admin=True),
        )
        name = competition.name
        db.session.commit()
    link = first_link(_mail_to(smtp_server, "giam.khao@sokhcn.vn", "/judge/invite/"), "/judge/invite/")

    page = new_page(DESKTOP)
    page.goto(link)
    page.get_by_role("heading", name="Lời mời làm giám khảo").wait_for()
    expect(page.get_by_text(f"Ông/bà được mời tham gia Hội đồng giám khảo {name}.")).to_be_visible()


def test_a_judge_with_an_account_is_told_which_panel_the_invitation_is_for(live_server, smtp_server, new_page):
    """Logged out, a judge who has an account opens the invitation: the log-in page names the competition's
    panel and the address to log in with (once only a flash said "log in with …"); the sign-up page from there
    keeps it; logging in leads back to the invitation."""
    from judging.domain.judges import invite_judge

    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        make_user("chuyen.gia@sokhcn.vn", name="Phạm Minh Đức", password=PASSWORD)
        invite_judge(
            competition,
            email="chuyen.gia@sokhcn.vn",
            full_name="Phạm Minh Đức",
            organisation=None,
            field_ids=[],
            invited_by=make_user(admin=True),
        )
        name = competition.name
        db.session.commit()
    link = first_link(_mail_to(smtp_server, "chuyen.gia@sokhcn.vn", "/judge/invite/"), "/judge/invite/")

    page = new_page(PHONE_390)
    page.goto(link)
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    context = page.locator("#coming-for")
    expect(context).to_contain_text(f"lời mời tham gia Hội đồng giám khảo {name}")
    expect(context).to_contain_text("đăng nhập bằng chuyen.gia@sokhcn.vn")
    check_accessibility(page)

    page.get_by_role("link", name="Tạo tài khoản").tap()
    expect(page.locator("#coming-for")).to_contain_text(f"Hội đồng giám khảo {name}")
    page.locator("main").get_by_role("link", name="Đăng nhập", exact=True).tap()

    _log_in(page, "chuyen.gia@sokhcn.vn")
    page.get_by_role("heading", name="Lời mời làm giám khảo").wait_for()
    page.get_by_role("button", name="Nhận lời mời").tap()
    page.get_by_text("Chào mừng ông/bà").wait_for()


def test_a_judge_who_forgot_the_password_comes_back_to_the_invitation(live_server, smtp_server, new_page):
    """'Forgot your password?' from the invitation's log-in page keeps the invitation: the 'Check your mail' page
    sends the link again with a button, and after the new password the log-in leads back to the invitation."""
    from judging.domain.judges import invite_judge

    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        make_user("quen.mat.khau@sokhcn.vn", name="Phạm Minh Đức", password="mat-khau-da-quen")
        invite_judge(
            competition,
            email="quen.mat.khau@sokhcn.vn",
            full_name="Phạm Minh Đức",
            organisation=None,
            field_ids=[],
            invited_by=make_user(admin=True),
        )
        name = competition.name
        db.session.commit()
    link = first_link(_mail_to(smtp_server, "quen.mat.khau@sokhcn.vn", "/judge/invite/"), "/judge/invite/")

    page = new_page(PHONE_390)
    page.goto(link)
    page.get_by_role("heading", name="Đăng nhập").wait_for()
    page.get_by_role("link", name="Quên mật khẩu?").tap()
    expect(page.locator("#coming-for")).to_contain_text(f"Hội đồng giám khảo {name}")
    page.get_by_label("E-mail").fill("quen.mat.khau@sokhcn.vn")
    page.get_by_role("button", name="Gửi đường dẫn").tap()
    page.get_by_role("heading", name="Hãy kiểm tra hộp thư").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name="Gửi lại thư").tap()
    page.get_by_role("heading", name="Hãy kiểm tra hộp thư").wait_for()
    expect(page.get_by_text("đưa trở lại")).to_be_visible()

    page.goto(first_link(_mail_to(smtp_server, "quen.mat.khau@sokhcn.vn", "/password/reset/"), "/password/reset/"))
    page.get_by_label("Mật khẩu mới").fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").tap()
    expect(page.locator("#coming-for")).to_contain_text(f"Hội đồng giám khảo {name}")
    _log_in(page, "quen.mat.khau@sokhcn.vn")
    page.get_by_role("heading", name="Lời mời làm giám khảo").wait_for()
