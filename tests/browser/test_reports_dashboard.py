"""The dashboard on a tablet: filtered by a unit and a year, charts drawn
without any outside request, and no serious accessibility violation."""

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.contest.domain.test_reports import known_contest
from tests.factories import PASSWORD, make_user


def _seed(app):
    from contest.extensions import db

    with app.app_context(), app.test_request_context():
        _, known = known_contest(db)
        make_user("quantri@example.vn", name="Lê Thị Thống Kê", admin=True)
        return known["commune"].id


def test_dashboard_filtered_by_unit_and_year(live_server, tablet_page):
    commune_id = _seed(live_server.app)
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
    assert charts.first.bounding_box()["width"] > 200      # drawn, not collapsed
    check_accessibility(page)

    page.get_by_label("Năm", exact=True).select_option("2024")
    page.get_by_label("Đơn vị", exact=True).select_option(str(commune_id))
    page.get_by_role("button", name="Xem").tap()
    expect(page.locator('[data-figure="teams"]')).to_have_text("1")
    assert f"unit={commune_id}" in page.url and "year=2024" in page.url
    expect(page.locator("#t-unit tbody")).to_contain_text("Huyện Sơn Tịnh")
    check_accessibility(page)
