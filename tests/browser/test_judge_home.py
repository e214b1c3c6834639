"""The judge's home on a 1024×768 touch tablet lists the round open for
scoring first, then the others newest first (issue 19, point 9)."""

from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


def test_the_open_round_comes_first(live_server, tablet_page):
    page, url = tablet_page, live_server.url
    with live_server.app.app_context():
        judge_user = make_user("giamkhao@example.vn", name="Võ Thị Lan")
        this_year = make_competition("khoi-nghiep-2026")
        last_year = make_competition("khoi-nghiep-2025", year=2025)  # entered after this year's
        for competition, rounds in (
            (this_year, (("Sơ khảo 2026", "locked"), ("Chung kết 2026", "open"))),
            (last_year, (("Sơ khảo 2025", "locked"), ("Chung kết 2025", "locked"))),
        ):
            entry = make_valid_entry(competition)
            judge = make_judge(competition, judge_user)
            for name, state in rounds:
                make_round(competition, [entry], [judge], name=name, state=state)
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill("giamkhao@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Võ Thị Lan").wait_for()
    page.goto(url + "/judge/")
    expect(page.locator("main h2")).to_have_text(["Chung kết 2026", "Sơ khảo 2026", "Chung kết 2025", "Sơ khảo 2025"])
    page.locator("main h2 a").first.tap()
    expect(page.locator("h1")).to_have_text("Chung kết 2026")
