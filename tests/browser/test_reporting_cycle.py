"""The yearly cycle in a browser (desktops: unit and Department officers). On
15/9/2025 the Department's officer chooses the units expected to report, from
those the plan names; on 8/12/2025 a ward officer records a forum and submits the ward's 2025 results;
on 11/12/2025 the Department's officer sees the ward as submitted and the
other units as overdue, consolidates, and downloads the DOCX and the PDF."""

import io
import subprocess
from datetime import UTC, date, datetime

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.conftest import _finish, _page, check_accessibility
from tests.factories import PASSWORD, make_unit, make_user

DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def desktop_page(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    _finish(context, page)  # no outside requests; axe-core on every page opened


def _seed(app, *, open_cycle=True):
    from contest.domain import reporting_cycle as cycle
    from contest.extensions import db
    from contest.models import OrgUnitKind

    with app.app_context(), app.test_request_context():
        cycle.load_plan()
        department = make_unit("QNG-KHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", OrgUnitKind.department)
        ward = make_unit("QNG-21025", "Phường Cẩm Thành", OrgUnitKind.commune, valid_from=date(2025, 7, 1))
        union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union)
        women = make_unit("QNG-PN", "Hội Liên hiệp Phụ nữ tỉnh Quảng Ngãi", OrgUnitKind.womens_union)
        cycle.add_officer(ward, make_user("canbo@camthanh.vn", name="Trần Văn Phường"))
        cycle.add_officer(department, make_user("tonghop@skhcn.vn", name="Nguyễn Thị Tổng Hợp"))
        if open_cycle:
            cycle.open_cycle(2025, [ward, union, women])
        db.session.commit()


def _set_day(monkeypatch, day: date):
    from contest.domain import reporting_cycle as cycle

    monkeypatch.setattr(cycle, "clock_today", lambda: day)
    monkeypatch.setattr(cycle, "clock_now", lambda: datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC))


def _log_in(page, url, email, name):
    page.context.clear_cookies()
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name=name).wait_for()


def test_a_ward_submits_and_the_department_consolidates_and_downloads(live_server, desktop_page, monkeypatch, tmp_path):
    _seed(live_server.app, open_cycle=False)
    page, url = desktop_page, live_server.url
    _set_day(monkeypatch, date(2025, 9, 15))
    _log_in(page, url, "tonghop@skhcn.vn", "Nguyễn Thị Tổng Hợp")
    page.goto(url + "/reporting/")
    page.get_by_role("link", name="Năm 2025", exact=True).click()
    page.get_by_role("link", name="Đơn vị phải báo cáo năm 2025").click()
    expect(page.locator("#suggested")).to_be_visible()
    check_accessibility(page)
    for name in ("Phường Cẩm Thành", "Tỉnh Đoàn Quảng Ngãi", "Hội Liên hiệp Phụ nữ tỉnh Quảng Ngãi"):
        expect(page.get_by_label(name)).to_be_checked()
    page.get_by_label("Sở Khoa học và Công nghệ tỉnh Quảng Ngãi").uncheck()  # it consolidates the others' reports
    page.get_by_role("button", name="Lưu danh sách đơn vị phải báo cáo").click()
    expect(page.locator("#choose-units")).to_be_visible()
    expect(page.locator("#results-status tr[data-unit]")).to_have_count(3)

    _set_day(monkeypatch, date(2025, 12, 8))
    _log_in(page, url, "canbo@camthanh.vn", "Trần Văn Phường")

    page.get_by_role("link", name="Kế hoạch và báo cáo").click()
    page.get_by_role("link", name="Phường Cẩm Thành — Năm 2025").click()
    expect(page.locator("h1")).to_contain_text("Phường Cẩm Thành")
    check_accessibility(page)
    page.locator("#kind").select_option("forum")
    page.locator("#title").fill("Diễn đàn khởi nghiệp phường Cẩm Thành")
    page.locator("#occurred_on").fill("2025-09-12")
    page.locator("#participants").fill("85")
    page.locator("#task").select_option(label=page.locator("#task option", has_text="1.6.").inner_text())
    page.locator("#evidence_url").fill("https://camthanh.quangngai.gov.vn/tin/dien-dan")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.locator("#activities")).to_contain_text("Diễn đàn khởi nghiệp phường Cẩm Thành")

    page.get_by_role("link", name="Báo cáo kết quả năm 2025").click()
    result = page.locator('textarea[name="line-1.6-result"]')
    expect(result).to_have_value("Diễn đàn khởi nghiệp phường Cẩm Thành (12/09/2025, 85 người)")
    expect(page.locator('input[name="figure-events"]')).to_have_value("1")
    check_accessibility(page)
    page.get_by_role("button", name="Gửi Sở Khoa học và Công nghệ").click()
    expect(page.locator("#report-state")).to_contain_text("Đã gửi (phiên bản 1) ngày 08/12/2025")
    expect(page.locator('textarea[name="line-1.6-result"]')).to_have_count(1)
    expect(page.get_by_role("button", name="Lưu điều chỉnh")).to_be_visible()

    _set_day(monkeypatch, date(2025, 12, 11))
    _log_in(page, url, "tonghop@skhcn.vn", "Nguyễn Thị Tổng Hợp")
    page.goto(url + "/reporting/")
    page.get_by_role("link", name="Năm 2025", exact=True).click()
    statuses = page.locator("#results-status")
    expect(statuses.locator('tr[data-unit="QNG-21025"] td').nth(1)).to_have_text("Đã nộp")
    expect(statuses.locator('tr[data-unit="QNG-DOAN"] td').nth(1)).to_have_text("Quá hạn")
    expect(statuses.locator('tr[data-unit="QNG-PN"] td').nth(1)).to_have_text("Quá hạn")
    check_accessibility(page)
    page.get_by_role("button", name="Tổng hợp các báo cáo đã gửi").click()
    expect(page.locator("#province-state")).to_contain_text("từ báo cáo của 1 đơn vị")

    with page.expect_download() as docx_download:
        page.locator("#download-docx").click()
    document = Document(io.BytesIO(open(docx_download.value.path(), "rb").read()))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    text = "\n".join([p.text for p in document.paragraphs] + [cell for row in rows for cell in row])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Kính gửi: - Bộ Khoa học và Công nghệ;" in text
    assert "Bảng chỉ tiêu kết quả năm 2025" in text
    assert ["STT", "Chỉ tiêu", "Kết quả"] in rows
    assert ["3", "Sự kiện (diễn đàn, tập huấn, hội thảo, triển lãm, Techfest)", "1"] in rows
    assert ["4", "Lượt người tham gia sự kiện", "85"] in rows
    assert "Đơn vị chưa gửi báo cáo: Hội Liên hiệp Phụ nữ tỉnh Quảng Ngãi, Tỉnh Đoàn Quảng Ngãi." in text

    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(open(pdf_download.value.path(), "rb").read())
    shown = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in shown and "Kính gửi" in shown
    assert "Diễn đàn khởi nghiệp phường Cẩm Thành" in shown


def test_a_club_is_recorded_at_its_school_and_the_school_is_asked_only_for_a_club(
    live_server, desktop_page, monkeypatch
):
    from contest.models import OrgUnitKind

    _seed(live_server.app)
    with live_server.app.app_context():
        make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    page, url = desktop_page, live_server.url
    _set_day(monkeypatch, date(2025, 12, 8))
    _log_in(page, url, "canbo@camthanh.vn", "Trần Văn Phường")
    page.goto(url + "/reporting/")
    page.get_by_role("link", name="Phường Cẩm Thành — Năm 2025").click()
    school = page.get_by_label("Trường có câu lạc bộ")
    page.locator("#kind").select_option("forum")
    expect(school).to_be_hidden()
    page.locator("#kind").select_option("club")
    expect(school).to_be_visible()
    check_accessibility(page)
    school.select_option(label="Trường Đại học Phạm Văn Đồng")
    page.locator("#title").fill("Câu lạc bộ khởi nghiệp sinh viên")
    page.locator("#occurred_on").fill("2025-10-01")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.locator("#activities td[data-school]")).to_have_text("Trường Đại học Phạm Văn Đồng")
    # Back to the first kind (a forum): the school is out of sight and is not sent.
    expect(page.locator("#kind")).to_have_value("forum")
    expect(school).to_be_hidden()
    expect(school).to_be_disabled()


def test_an_activity_is_removed_only_once_its_removal_is_confirmed(live_server, desktop_page, monkeypatch):
    _seed(live_server.app)
    page, url = desktop_page, live_server.url
    _set_day(monkeypatch, date(2025, 12, 8))
    _log_in(page, url, "canbo@camthanh.vn", "Trần Văn Phường")
    page.goto(url + "/reporting/")
    page.get_by_role("link", name="Phường Cẩm Thành — Năm 2025").click()
    page.locator("#kind").select_option("forum")
    page.locator("#title").fill("Diễn đàn nhập nhầm")
    page.locator("#occurred_on").fill("2025-10-01")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    remove = page.get_by_role("button", name="Xóa hoạt động Diễn đàn nhập nhầm")
    expect(remove).to_be_visible()
    check_accessibility(page)
    answers, asked = [False, True], []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    page.on("dialog", answer)
    remove.click()
    expect(remove).to_be_visible()  # dismissed: nothing sent
    remove.click()
    expect(page.get_by_text("Đã xóa hoạt động.")).to_be_visible()
    expect(remove).to_have_count(0)
    assert asked[0].startswith("Xóa hoạt động “Diễn đàn nhập nhầm” ngày 01/10/2025?")
