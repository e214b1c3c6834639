"""A team leader on a phone uploads the wrong file: too big and of the wrong
type are said at once, before anything is sent (from the limits the page
carries); a file the server refuses by its content brings the page back at the
upload form, its error summary first and focused, the file field in view."""

from playwright.sync_api import expect

from contest.extensions import db
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, make_competition, make_team, make_user

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _log_in(page, base_url, email):
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Đội của tôi").first.wait_for()


def test_upload_mistakes_are_said_where_the_leader_looks(live_server, new_page):
    with live_server.app.app_context():
        leader = make_user("truong.nhom@example.vn", name="Lê Thị Thu")
        team_id = make_team(make_competition("khoi-nghiep-2026"), leader, name="Tỏi đen Lý Sơn").id
        db.session.commit()
    page = new_page(PHONE_390)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/entry/upload") else None)
    _log_in(page, live_server.url, "truong.nhom@example.vn")
    page.goto(f"{live_server.url}/teams/{team_id}/entry")

    kind, file, problem = (
        page.get_by_role("combobox", name="Tài liệu"),
        page.get_by_label("Tệp"),
        page.locator("#upload-check"),
    )
    upload = page.get_by_role("button", name="Tải lên")

    # An image over 5 MB: said at once, in Vietnamese, and not sent.
    kind.select_option("image")
    expect(file).to_have_attribute("data-max-bytes", str(5 * 2**20))
    file.set_input_files(
        {"name": "anh-san-pham.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * (6 * 2**20 - 4)}
    )
    expect(problem).to_be_visible()
    expect(problem).to_have_text("Tệp có dung lượng 6 MB; chỉ cho phép tối đa 5 MB.")
    expect(file).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)
    upload.tap()
    expect(file).to_be_focused()
    expect(problem).to_be_in_viewport()

    # A Word file where the pitch deck (PDF only) goes: said at once too.
    kind.select_option("pitch_deck")
    expect(file).to_have_attribute("accept", ".pdf,application/pdf")
    file.set_input_files(
        {
            "name": "bai-thuyet-trinh.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": b"PK\x03\x04" + b"0" * 100,
        }
    )
    expect(problem).to_contain_text("DOCX")
    expect(problem).to_contain_text("Định dạng được chấp nhận: PDF")
    upload.tap()
    page.wait_for_timeout(300)
    assert sent == [], f"a refused file was sent: {sent}"

    # A file that looks right but is not a PDF: the server refuses it, and the
    # page comes back at the upload form with the error first.
    file.set_input_files({"name": "bai-thuyet-trinh.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64})
    expect(problem).to_be_hidden()
    upload.tap()
    page.wait_for_url("**/entry/upload#upload-problem")
    summary = page.locator("#upload-problem")
    expect(summary).to_contain_text("Tệp chưa được tải lên.")
    expect(summary).to_contain_text("EXE")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()  # read out first; its link leads to the field
    expect(page.get_by_label("Tệp")).to_be_in_viewport()
    assert len(sent) == 1
    check_accessibility(page)
