"""A team leader on a phone: registers a team, invites a member (who joins from
the mail), adds a member without an account, fills the entry over two visits,
uploads the documents, submits and gets the receipt mail. After the deadline
the entry is read-only, on the page and against a direct POST."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, check_accessibility
from tests.conftest import first_link
from tests.factories import PASSWORD, make_competition, make_user, pdf_bytes


def _log_in(page, base_url, email):
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Đội của tôi").first.wait_for()


def _wait_for_autosave(page):
    expect(page.locator("#autosave-status")).to_contain_text("Đã lưu", timeout=10_000)


def test_team_registers_and_submits_on_a_phone(live_server, smtp_server, phone_page, new_page):
    with live_server.app.app_context():
        competition = make_competition("khoi-nghiep-2026")
        slug, board, field = competition.slug, competition.boards[0].name, competition.fields[0].name
        make_user("truong.nhom@example.vn", name="Lê Thị Thu")
        make_user("thanh.vien@example.vn", name="Trần Văn Bình")
    page, url = phone_page, live_server.url

    _log_in(page, url, "truong.nhom@example.vn")
    page.goto(f"{url}/c/{slug}")
    check_accessibility(page)
    page.get_by_role("link", name="Đăng ký đội").first.tap()
    page.get_by_label("Tên đội", exact=True).fill("Tỏi đen Lý Sơn")
    page.get_by_label("Ngày sinh").fill("1998-05-17")
    page.get_by_role("button", name="Tạo đội").tap()
    page.get_by_role("heading", name="Tỏi đen Lý Sơn").wait_for()
    check_accessibility(page)

    # Invite a member with an account; the mail arrives and they join.
    invite = page.locator("section", has=page.get_by_role("heading", name="Mời thành viên qua e-mail"))
    invite.get_by_label("E-mail").fill("thanh.vien@example.vn")
    invite.get_by_role("button", name="Gửi lời mời").tap()
    expect(page.get_by_text("Đã mời, chưa tham gia: thanh.vien@example.vn")).to_be_visible()
    mail = _wait_for_mail(smtp_server, "thanh.vien@example.vn")
    link = first_link(mail, "/invite/")

    member_page = new_page(PHONE)
    _log_in(member_page, url, "thanh.vien@example.vn")
    member_page.goto(link)
    member_page.get_by_label("Ngày sinh").fill("2001-02-03")
    member_page.get_by_role("button", name="Tham gia đội").tap()
    member_page.get_by_role("heading", name="Tỏi đen Lý Sơn").wait_for()

    # A member who will never log in.
    page.reload()
    expect(page.get_by_role("cell", name="Trần Văn Bình")).to_be_visible()
    add = page.locator("section", has=page.get_by_role("heading", name="Thêm thành viên chưa có tài khoản"))
    add.get_by_label("Họ và tên").fill("Phạm Thị Cúc")
    add.get_by_label("Ngày sinh").fill("2000-09-09")
    add.get_by_role("button", name="Thêm thành viên").tap()
    expect(page.get_by_role("cell", name="Phạm Thị Cúc")).to_be_visible()

    # First visit: a few fields, saved as typed; then the tab goes away.
    page.get_by_role("link", name="Sửa hồ sơ dự thi").tap()
    page.get_by_label("Tên dự án").fill("Tỏi đen lên men tự nhiên")
    page.get_by_label("Tóm tắt").fill("Sản phẩm tỏi đen từ tỏi cô đơn Lý Sơn.")
    _wait_for_autosave(page)
    check_accessibility(page)
    page.goto(url + "/my")

    # Second visit: what was typed is there; finish the entry.
    page.goto(f"{url}/my")
    page.get_by_role("link", name="Tỏi đen Lý Sơn").first.tap()
    page.get_by_role("link", name="Sửa hồ sơ dự thi").tap()
    expect(page.get_by_label("Tên dự án")).to_have_value("Tỏi đen lên men tự nhiên")
    page.get_by_label("Bảng").select_option(label=board)
    page.get_by_label("Lĩnh vực").select_option(label=field)
    page.get_by_label("Vấn đề").fill("Tỏi tươi mất giá sau vụ thu hoạch.")
    page.get_by_label("Giải pháp").fill("Lên men 60 ngày, không phụ gia.")
    page.get_by_label("Khách hàng và thị trường").fill("Du khách và siêu thị đặc sản.")
    page.get_by_label("Mô hình kinh doanh").fill("Bán lẻ và bán sỉ qua đại lý.")
    page.get_by_label("Giai đoạn phát triển").select_option("prototype")
    _wait_for_autosave(page)

    for document, filename in (("pitch_deck", "bai-thuyet-trinh.pdf"), ("description", "thuyet-minh.pdf")):
        page.get_by_role("combobox", name="Tài liệu").select_option(document)
        page.get_by_label("Tệp").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": pdf_bytes(filename)}
        )
        page.get_by_role("button", name="Tải lên").tap()
        expect(page.get_by_text(filename).first).to_be_visible()

    page.get_by_role("button", name="Nộp hồ sơ dự thi").tap()
    page.get_by_role("heading", name="Hồ sơ dự thi của bạn đã được tiếp nhận").wait_for()
    code = page.locator("[data-entry-code]").inner_text().strip()
    assert re.fullmatch(r"U-2026-[A-Z]+-\d{3}", code), code
    check_accessibility(page)
    receipt = _wait_for_mail(smtp_server, "truong.nhom@example.vn", code)
    assert "Tỏi đen lên men tự nhiên" in receipt.get_body(("plain",)).get_content()

    # The deadline passes: controls are gone and a direct POST is refused.
    with live_server.app.app_context():
        from contest.domain.competitions import find_by_slug
        from contest.extensions import db
        from contest.models.base import utcnow

        find_by_slug(slug).submission_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page.goto(url + "/my")
    page.get_by_role("link", name="Tỏi đen Lý Sơn").first.tap()
    expect(page.get_by_role("button", name="Gửi lời mời")).to_have_count(0)
    page.get_by_role("link", name="Xem hồ sơ dự thi").tap()
    expect(page.get_by_role("button", name="Nộp lại")).to_have_count(0)
    expect(page.get_by_role("button", name="Tải lên")).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)
    team_path = page.url.split(url, 1)[1].rsplit("/entry", 1)[0]
    response = page.request.post(
        f"{url}{team_path}/entry/autosave",
        data={"title": "Sửa muộn"},
        headers={"X-CSRFToken": _csrf(page, f"{url}/my")},
    )
    assert response.status == 409
    page.goto(f"{url}{team_path}/entry")
    expect(page.get_by_text("Tỏi đen lên men tự nhiên").first).to_be_visible()


def _csrf(page, path):
    page.goto(path)
    return page.locator("input[name=csrf_token]").first.input_value()


def _wait_for_mail(smtp_server, address, containing=""):
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in smtp_server.to(address):
            if containing in str(message["Subject"]) + message.get_body(("plain",)).get_content():
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} containing {containing!r}")


def test_what_is_typed_before_the_autosave_script_arrives_is_saved(live_server, new_page):
    """On a slow connection the leader types before the page's script has run: no
    input event is heard for those keys, and the script saves them when it starts."""
    from contest.extensions import db
    from contest.models import Entry
    from tests.factories import make_team

    with live_server.app.app_context():
        competition = make_competition("cham-2026")
        team = make_team(competition, make_user("cham@example.vn", name="Người Gõ Nhanh"))
        team_id = team.id
        db.session.commit()
    page = new_page(PHONE)
    _log_in(page, live_server.url, "cham@example.vn")
    held = []  # the script's request, answered once the field is typed in
    page.route("**/static/js/entry-autosave.js*", lambda route: held.append(route))
    page.goto(f"{live_server.url}/teams/{team_id}/entry", wait_until="commit")
    page.get_by_label("Tên dự án").fill("Gõ trước khi kịp tải")
    expect(page.locator("#autosave-status")).to_have_text("")  # nothing has run yet
    for _ in range(100):  # the held request reaches the handler while Playwright runs
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the script was not requested"
    held[0].continue_()
    _wait_for_autosave(page)
    with live_server.app.app_context():
        assert db.session.query(Entry.title).filter(Entry.team_id == team_id).scalar() == "Gõ trước khi kịp tải"


def test_a_team_named_with_one_long_word_fits_a_phone(live_server, new_page):
    """A name typed as one unbroken word (50 letters, no space) widened the team's
    page to 841 px on a 390 px phone: its heading now breaks."""
    from contest.extensions import db
    from tests.factories import make_team

    with live_server.app.app_context():
        competition = make_competition("ten-dai-2026")
        name = "Đội" + "KhởiNghiệpĐổiMới" * 3
        team = make_team(competition, make_user("tendai@example.vn", name="Người Đặt Tên Dài"), name=name)
        team_id = team.id
        db.session.commit()
    page = new_page(PHONE)
    _log_in(page, live_server.url, "tendai@example.vn")
    page.goto(f"{live_server.url}/teams/{team_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("KhởiNghiệp")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
