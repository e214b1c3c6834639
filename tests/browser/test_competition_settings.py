"""An organizer creates a competition and opens it on a touch tablet, and a
phone cannot archive a draft by one slip (issue 19, point 1): the address is
proposed from the name, the status choices come in lifecycle order with the
current one selected, the dates typed beside a change of status are kept, and
a move that cannot be undone is confirmed on a page that says so."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from contest.models import CompetitionState, OrgUnitKind
from contest.models.base import utcnow
from tests.factories import PASSWORD, make_competition, make_unit, make_user

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}


def _log_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(lambda u: "/login" not in u)


def _options(select):
    return select.evaluate("s => [...s.options].map(o => [o.value, o.selected])")


def test_a_new_competition_is_opened_with_its_typed_dates_after_a_confirmation(live_server, new_page):
    page, url = new_page(TABLET), live_server.url
    with live_server.app.app_context():
        make_user("bantochuc@example.vn", name="Lê Văn Tổ", admin=True)
        make_unit("SKHCN", "Sở Khoa học và Công nghệ", OrgUnitKind.department)
    _log_in(page, url, "bantochuc@example.vn")

    page.goto(url + "/manage/new")
    page.get_by_label("Tên cuộc thi").fill("Cuộc thi Khởi nghiệp Đổi mới sáng tạo Đức Phổ 2026")
    slug = page.get_by_label("Địa chỉ web (slug)")
    expect(slug).to_have_value("cuoc-thi-khoi-nghiep-doi-moi-sang-tao-duc-pho-2026")
    slug.fill("khoi-nghiep-duc-pho")  # edited by hand: the name no longer changes it
    page.get_by_label("Tên cuộc thi").fill("Cuộc thi Khởi nghiệp Đức Phổ 2026")
    expect(slug).to_have_value("khoi-nghiep-duc-pho")
    page.get_by_label("Đơn vị tổ chức").select_option(label="Sở Khoa học và Công nghệ (SKHCN)")
    page.get_by_role("button", name="Tạo").tap()
    page.wait_for_url(url + "/manage/khoi-nghiep-duc-pho/settings")

    state = page.get_by_label("Trạng thái", exact=True)
    assert _options(state) == [["draft", True], ["open", False], ["archived", False]]
    opens = (utcnow() + timedelta(hours=7, days=1)).strftime("%Y-%m-%dT%H:%M")  # Vietnam time
    deadline = (utcnow() + timedelta(hours=7, days=40)).strftime("%Y-%m-%dT%H:00")
    page.get_by_label("Mở đăng ký").fill(opens)
    page.get_by_label("Hạn nộp hồ sơ").fill(deadline)
    state.select_option("open")
    page.get_by_role("button", name="Lưu và đổi trạng thái").tap()

    # The dates are saved; the opening waits for a confirmation naming what it ends.
    expect(page.locator("h1")).to_have_text("Chuyển trạng thái sang “Đang nhận hồ sơ”?")
    expect(page.get_by_text("Việc này không thể hoàn tác.")).to_be_visible()
    expect(page.get_by_text("không bao giờ trở lại bản nháp")).to_be_visible()
    page.get_by_role("button", name="Đồng ý, chuyển trạng thái sang “Đang nhận hồ sơ”").tap()
    page.wait_for_url(url + "/manage/khoi-nghiep-duc-pho/settings")
    expect(page.get_by_role("heading", name="Trạng thái: Đang nhận hồ sơ")).to_be_visible()
    expect(page.get_by_label("Hạn nộp hồ sơ")).to_have_value(deadline)
    expect(page.get_by_label("Mở đăng ký")).to_have_value(opens)
    assert _options(page.get_by_label("Trạng thái", exact=True)) == [["open", True], ["closed", False]]


def test_a_draft_is_not_archived_by_one_tap_on_a_phone(live_server, new_page):
    page, url = new_page(PHONE_390), live_server.url
    with live_server.app.app_context():
        make_user("bantochuc@example.vn", name="Lê Văn Tổ", admin=True)
        competition = make_competition("ban-nhap", open_=False)
        slug = competition.slug
    _log_in(page, url, "bantochuc@example.vn")
    page.goto(f"{url}/manage/{slug}/settings")
    page.get_by_label("Trạng thái", exact=True).select_option("archived")
    page.get_by_role("button", name="Lưu và đổi trạng thái").tap()
    expect(page.locator("h1")).to_have_text("Chuyển trạng thái sang “Đã lưu trữ”?")
    expect(page.get_by_text("không bao giờ mở lại")).to_be_visible()
    page.get_by_role("link", name="Hủy").tap()
    page.wait_for_url(f"{url}/manage/{slug}/settings")
    expect(page.get_by_role("heading", name="Trạng thái: Bản nháp")).to_be_visible()
    with live_server.app.app_context():
        from contest.domain.competitions import find_by_slug

        assert find_by_slug(slug).state is CompetitionState.draft
