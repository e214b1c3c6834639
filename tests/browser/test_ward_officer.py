"""A ward runs its own contest: an administrator makes an account the officer of
a ward formed on 1 July 2025; that officer (not an administrator) creates the
ward's 2026 contest, appoints its secretariat and opens it; a team of the ward
registers and submits on a phone."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PageGuard, check_accessibility
from tests.factories import PASSWORD, make_unit, make_user, pdf_bytes

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _page(browser, options):
    context = browser.new_context(locale="vi-VN", **options)
    page = context.new_page()
    page.guard = PageGuard(page)
    page.set_default_timeout(10_000)
    return context, page


def _log_in(page, base_url, email):
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Đội của tôi").first.wait_for()


def test_a_ward_officer_runs_the_wards_contest_and_a_ward_team_submits(live_server, browser):
    from contest.models import OrgUnitKind

    with live_server.app.app_context():
        province = make_unit("QNG-51", "Tỉnh Quảng Ngãi", OrgUnitKind.province, valid_from=date(2025, 7, 1))
        make_unit("QNG-21025", "Phường Cẩm Thành", OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1))
        make_unit(
            "QNG-TP", "Thành phố Quảng Ngãi", OrgUnitKind.city, valid_from=date(2020, 2, 1), valid_to=date(2025, 6, 30)
        )
        make_user("quantri@example.vn", name="Quản Trị", admin=True)
        make_user("canbo@camthanh.vn", name="Trương Thị Đầu Mối")
        make_user("thuky@camthanh.vn", name="Lê Văn Thư Ký")
        make_user("doitruong@camthanh.vn", name="Võ Thị Cẩm")
    url = live_server.url
    guarded = []

    # 1. The administrator makes the account the ward's officer.
    admin_context, page = _page(browser, DESKTOP)
    guarded.append(page)
    _log_in(page, url, "quantri@example.vn")
    page.goto(url + "/admin/orgunits")
    page.get_by_role("row", name="Phường Cẩm Thành").get_by_role("link", name="Cán bộ đầu mối").click()
    page.get_by_role("heading", name="Cán bộ đầu mối của Phường Cẩm Thành").wait_for()
    page.get_by_label("E-mail của tài khoản").fill("canbo@camthanh.vn")
    page.get_by_label("Vai trò").select_option(label="Cán bộ đầu mối")
    page.get_by_role("button", name="Phân công").click()
    expect(page.get_by_role("cell", name="Trương Thị Đầu Mối")).to_be_visible()
    check_accessibility(page)
    admin_context.close()

    # 2. The officer creates the ward's 2026 contest; only the ward's kind of contest is offered.
    officer_context, page = _page(browser, DESKTOP)
    guarded.append(page)
    _log_in(page, url, "canbo@camthanh.vn")
    page.get_by_role("link", name="Đơn vị của tôi").click()
    page.get_by_role("heading", name="Phường Cẩm Thành").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="Tạo cuộc thi của đơn vị").click()
    page.get_by_label("Tên cuộc thi").fill("Cuộc thi Khởi nghiệp phường Cẩm Thành năm 2026")
    page.get_by_label("Năm").fill("2026")
    page.get_by_label("Địa chỉ web (slug)").fill("khoi-nghiep-cam-thanh-2026")
    options = page.get_by_label("Dựa trên mẫu").locator("option")
    expect(options).to_have_count(1)
    check_accessibility(page)
    page.get_by_role("button", name="Tạo").click()

    # Settings: a deadline in the future, then the secretariat, then open.
    deadline = date.today() + timedelta(days=30)
    page.get_by_label("Hạn nộp hồ sơ").fill(f"{deadline.isoformat()}T17:00")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu cài đặt").or_(page.locator(".alert--success"))).to_be_visible()
    page.get_by_role("navigation", name="Quản lý cuộc thi").get_by_role("link", name="Vai trò").click()
    page.get_by_label("E-mail của tài khoản").fill("thuky@camthanh.vn")
    page.get_by_label("Vai trò").select_option(label="Tổ thư ký")
    page.get_by_role("button", name="Cấp vai trò").click()
    expect(page.get_by_role("cell", name="Lê Văn Thư Ký")).to_be_visible()
    page.get_by_role("navigation", name="Quản lý cuộc thi").get_by_role("link", name="Cài đặt").click()
    page.get_by_label("Trạng thái", exact=True).select_option("open")
    page.get_by_role("button", name="Lưu và đổi trạng thái").click()
    page.get_by_role("button", name="Đồng ý, chuyển trạng thái sang “Đang nhận hồ sơ”").click()
    expect(page.get_by_role("heading", name="Trạng thái: Đang nhận hồ sơ")).to_be_visible()
    officer_context.close()

    # 3. A team of the ward registers and submits on a phone.
    team_context, page = _page(browser, PHONE)
    guarded.append(page)
    _log_in(page, url, "doitruong@camthanh.vn")
    page.goto(f"{url}/c/khoi-nghiep-cam-thanh-2026")
    page.get_by_role("link", name="Đăng ký đội").first.tap()
    page.get_by_label("Tên đội", exact=True).fill("Nước mắm Cẩm Thành")
    page.get_by_label("Ngày sinh").fill("1998-05-17")
    unit_choice = page.get_by_label("Đơn vị (xã, phường, cơ sở Đoàn...)")
    # The district dissolved in 2025 is not offered; the ward is.
    expect(unit_choice.locator("option", has_text="Thành phố Quảng Ngãi")).to_have_count(0)
    unit_choice.select_option(label="Phường Cẩm Thành")
    page.get_by_role("button", name="Tạo đội").tap()
    page.get_by_role("heading", name="Nước mắm Cẩm Thành").wait_for()
    page.get_by_role("link", name="Sửa hồ sơ dự thi").tap()
    page.get_by_label("Tên dự án").fill("Nước mắm cá cơm đóng chai")
    page.get_by_label("Tóm tắt").fill("Nước mắm truyền thống của phường.")
    page.get_by_label("Bảng").select_option(index=1)
    page.get_by_label("Lĩnh vực").select_option(index=1)
    page.get_by_label("Vấn đề").fill("Sản phẩm chưa có thương hiệu.")
    page.get_by_label("Giải pháp").fill("Đóng chai, truy xuất nguồn gốc.")
    page.get_by_label("Khách hàng và thị trường").fill("Du khách và siêu thị.")
    page.get_by_label("Mô hình kinh doanh").fill("Bán qua đại lý.")
    page.get_by_label("Giai đoạn phát triển").select_option("prototype")
    expect(page.locator("#autosave-status")).to_contain_text("Đã lưu", timeout=10_000)
    for document, filename in (("pitch_deck", "bai-thuyet-trinh.pdf"), ("description", "thuyet-minh.pdf")):
        page.get_by_role("combobox", name="Tài liệu").select_option(document)
        page.get_by_label("Tệp").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": pdf_bytes(filename)}
        )
        page.get_by_role("button", name="Tải lên").tap()
        expect(page.get_by_text(filename).first).to_be_visible()
    page.get_by_role("button", name="Nộp hồ sơ dự thi").tap()
    page.get_by_role("heading", name="Hồ sơ dự thi của bạn đã được tiếp nhận").wait_for()
    check_accessibility(page)
    team_context.close()

    with live_server.app.app_context():
        from contest.domain.competitions import find_by_slug
        from contest.models import EntryStatus

        competition = find_by_slug("khoi-nghiep-cam-thanh-2026")
        assert competition.org_unit.code == "QNG-21025" and competition.restrict_to_unit
        entries = [t.entry for t in competition_teams(competition)]
        assert [e.status for e in entries] == [EntryStatus.submitted]
    for page in guarded:
        assert not page.guard.outside, page.guard.outside


def competition_teams(competition):
    from sqlalchemy import select

    from contest.extensions import db
    from contest.models import Team

    return db.session.scalars(select(Team).where(Team.competition_id == competition.id)).all()
