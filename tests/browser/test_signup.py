"""A visitor on a phone signs up, confirms the address from the real mail,
logs in and switches the language; axe-core checks each page on the way."""

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.conftest import first_link


def test_signup_on_a_phone(live_server, smtp_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    check_accessibility(page)

    page.get_by_role("link", name="Đăng ký").first.tap()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hồng Nhung")
    page.get_by_label("E-mail").fill("nhung.phone@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill("ngan")
    page.get_by_label("Nhập lại mật khẩu").fill("ngan-khac")
    page.get_by_role("button", name="Đăng ký").tap()
    # Bad input: clear messages, and what was typed is still there.
    expect(page.get_by_text("Mật khẩu phải dài từ 10 đến 128 ký tự.")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Hồng Nhung")
    check_accessibility(page)

    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-that-dai")
    page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-that-dai")
    page.get_by_role("button", name="Đăng ký").tap()
    page.get_by_role("heading", name="Hãy kiểm tra hộp thư").wait_for()
    check_accessibility(page)

    messages = smtp_server.wait_for(1, timeout=15)
    assert messages, "the verification mail did not arrive"
    link = first_link(messages[0], "/verify-email/")
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_text("Đã xác nhận địa chỉ e-mail.").wait_for()
    check_accessibility(page)

    page.get_by_label("E-mail").fill("nhung.phone@example.vn")
    page.get_by_label("Mật khẩu").fill("mat-khau-that-dai")
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Nguyễn Thị Hồng Nhung").wait_for()
    check_accessibility(page)

    page.get_by_role("button", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Innovative startup competitions")).to_be_visible()
    check_accessibility(page)
