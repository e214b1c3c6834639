"""The dashboard on a tablet: filtered by a unit and a year, charts drawn
without any outside request, and no serious accessibility violation."""

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.contest.domain.test_reports import known_contest
from tests.factories import PASSWORD, make_user


def _seed(app):
    from sqlalchemy import select

    from contest.extensions import db
    from contest.models import Entry

    with app.app_context(), app.test_request_context():
        competition, known = known_contest(db)
        make_user("quantri@example.vn", name="Lê Thị Thống Kê", admin=True)
        entry_id = db.session.scalar(select(Entry.id).where(Entry.team_id == known["hoa"].id))
        return known["commune"].id, competition.slug, entry_id


def test_dashboard_filtered_by_unit_and_year(live_server, tablet_page):
    commune_id, slug, entry_id = _seed(live_server.app)
    page = tablet_page
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("quantri@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Lê Thị Thống Kê").wait_for()

    page.goto(live_server.url + "/reports/")
    expect(page.locator('[data-figure="teams"]')).to_have_text("3")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(3)
    assert charts.first.bounding_box()["width"] > 200  # drawn, not collapsed
    check_accessibility(page)

    page.get_by_label("Năm", exact=True).select_option("2024")
    page.get_by_label("Đơn vị", exact=True).select_option(str(commune_id))
    page.get_by_role("button", name="Xem").tap()
    expect(page.locator('[data-figure="teams"]')).to_have_text("1")
    assert f"unit={commune_id}" in page.url and "year=2024" in page.url
    expect(page.locator("#t-unit tbody")).to_contain_text("Huyện Sơn Tịnh")
    check_accessibility(page)

    # The pages around it: the yearly report, the plan's targets, a project's follow-up.
    for path in (
        "/reports/yearly",
        "/reports/targets",
        f"/manage/{slug}/followup",
        f"/manage/{slug}/followup/{entry_id}",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        check_accessibility(page)
    page.get_by_label("Nội dung").select_option("capital_raised")
    page.get_by_label("Ngày", exact=True).fill("2025-05-20")
    page.get_by_label("Số tiền (đồng)").fill("500000000")
    page.get_by_label("Nguồn thông tin").fill("Biên bản góp vốn")
    page.get_by_role("button", name="Ghi nhận", exact=True).tap()
    expect(page.locator("#outcomes")).to_contain_text("500.000.000")
