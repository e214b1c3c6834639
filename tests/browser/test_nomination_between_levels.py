"""A commune contest's organizer proposes its Giải Nhất to the provincial
contest; the provincial secretariat accepts it; the team sees its project's
path on its page; "projects supported" rises by one in the province's
dashboard and the project is still counted once across both contests."""

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.factories import (
    PASSWORD,
    announce_results,
    make_competition,
    make_user,
    make_valid_entry,
    province_tree,
)

PERIOD = "2026–2030"


def _seed(app):
    from contest.domain import indicators
    from contest.extensions import db
    from contest.models import CompetitionRole, CompetitionRoleKind
    from contest.models.base import utcnow

    with app.app_context():
        units = province_tree()
        commune = make_competition("xa-ly-son-2026", preset="district_commune", unit=units["commune"])
        commune.name = "Cuộc thi Khởi nghiệp đặc khu Lý Sơn 2026"
        province = make_competition("tinh-quang-ngai-2026", unit=units["department"])
        province.name = "Cuộc thi Khởi nghiệp tỉnh Quảng Ngãi 2026"
        winner = make_valid_entry(commune, name="Đội Tỏi đen")
        second = make_valid_entry(commune, name="Đội Nước mắm")
        announce_results(app, commune, [winner, second])
        organizer = make_user("btc-xa@example.vn", name="Trần Văn Xã")
        secretary = make_user("tk-tinh@example.vn", name="Lê Thị Tỉnh")
        make_user("quantri-dc@example.vn", name="Phạm Quản Trị", admin=True)
        for user, competition, role in (
            (organizer, commune, CompetitionRoleKind.organizer),
            (secretary, province, CompetitionRoleKind.secretariat),
        ):
            db.session.add(
                CompetitionRole(competition_id=competition.id, user_id=user.id, role=role, granted_at=utcnow())
            )
        indicators.ensure_plan()
        db.session.commit()
        return {
            "commune": commune.slug,
            "province": province.slug,
            "code": winner.code,
            "title": winner.title,
            "leader": (winner.team.leader.email, winner.team.leader.full_name),
            "project_id": winner.project_id,
            "commune_name": commune.name,
            "province_name": province.name,
        }


def _login(page, url, email, name):
    page.context.clear_cookies()
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name=name).wait_for()


def _projects_supported(page, url):
    page.goto(url + "/reports/")
    return page.locator(f'tr[data-indicator="projects_supported"][data-period="{PERIOD}"] td.achieved')


def test_a_commune_winner_goes_up_to_the_province_as_one_project(live_server, tablet_page):
    seed = _seed(live_server.app)
    page, url = tablet_page, live_server.url

    # The province's secretariat sees its own contest only: nothing yet.
    _login(page, url, "tk-tinh@example.vn", "Lê Thị Tỉnh")
    expect(_projects_supported(page, url)).to_have_text("0")

    # The commune's organizer proposes the Giải Nhất.
    _login(page, url, "btc-xa@example.vn", "Trần Văn Xã")
    page.goto(url + f"/manage/{seed['commune']}/nominations")
    row = page.locator("tr", has_text=seed["code"])
    expect(row).to_contain_text("Giải Nhất")
    check_accessibility(page)
    row.get_by_label("Đề cử lên").select_option(label=seed["province_name"])
    row.get_by_role("button", name="Đề cử").tap()
    expect(page.locator(".alert--success")).to_contain_text("Đã đề cử")
    expect(page.locator("tr", has_text=seed["code"])).to_contain_text("Đã đề cử")

    # The provincial secretariat accepts it, with the source's result in view.
    _login(page, url, "tk-tinh@example.vn", "Lê Thị Tỉnh")
    page.goto(url + f"/manage/{seed['province']}/proposals")
    proposal = page.locator("tr[data-nomination]", has_text=seed["title"])
    expect(proposal).to_contain_text("Giải Nhất")
    expect(proposal).to_contain_text(seed["commune_name"])
    check_accessibility(page)
    proposal.get_by_label("Quyết định", exact=True).select_option("accept")
    proposal.get_by_label("Lý do").fill("Giải Nhất cấp xã")
    proposal.get_by_role("button", name="Quyết định").tap()
    expect(page.locator("tr[data-nomination]", has_text=seed["title"])).to_contain_text("Đã tiếp nhận")

    # Its dashboard rises by one, and the number opens the list it counts.
    achieved = _projects_supported(page, url)
    expect(achieved).to_have_text("1")
    achieved.get_by_role("link").tap()
    expect(page.locator("table[data-records] tbody tr")).to_have_count(1)
    expect(page.locator("table[data-records] tbody")).to_contain_text(seed["title"])
    check_accessibility(page)

    # Across both contests the project is counted once: two commune projects, still two.
    _login(page, url, "quantri-dc@example.vn", "Phạm Quản Trị")
    expect(_projects_supported(page, url)).to_have_text("2")

    # The team sees the project's path on its page.
    from sqlalchemy import select

    from contest.extensions import db
    from contest.models import Competition, Entry

    with live_server.app.app_context():
        team_id = db.session.scalar(
            select(Entry.team_id)
            .join(Competition, Competition.id == Entry.competition_id)
            .where(Competition.slug == seed["province"], Entry.project_id == seed["project_id"])
        )
    email, name = seed["leader"]
    _login(page, url, email, name)
    page.goto(url + f"/teams/{team_id}")
    path = page.locator("#project-path")
    expect(path).to_contain_text(seed["commune_name"])
    expect(path).to_contain_text(seed["province_name"])
    expect(path).to_contain_text("Giải Nhất")
    expect(path.locator("li")).to_have_count(2)
    check_accessibility(page)
