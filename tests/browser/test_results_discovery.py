"""Published results are found where people look (issue 19, point 4): the home
page and the competition's page link them and say "results published" though
the organizer never changed the status by hand, and the team's page names the
award the team won."""

from __future__ import annotations

from playwright.sync_api import expect

from contest.models import CompetitionState
from tests.factories import PASSWORD, announce_results, make_competition, make_user, make_valid_entry

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _published(live_server):
    """A competition left "closed for entries" by its organizer, its results announced."""
    with live_server.app.app_context():
        from contest.extensions import db

        competition = make_competition("khoi-nghiep-2026")
        leader = make_user("doitruong@example.vn", name="Phạm Thị Hoa")
        winner = make_valid_entry(competition, leader=leader, name="Đội Tỏi đen")
        announce_results(live_server.app, competition, [winner, make_valid_entry(competition)])
        competition.state = CompetitionState.closed
        db.session.commit()
        return competition.name, winner.team_id


def test_a_visitor_on_a_phone_finds_the_results_from_the_home_page(live_server, new_page):
    name, _team_id = _published(live_server)
    page, url = new_page(PHONE_390), live_server.url
    page.goto(url + "/")
    card = page.locator("article", has_text=name)
    expect(card.locator(".badge")).to_have_text("Đã công bố kết quả")
    card.get_by_role("link", name=f"Kết quả {name}").tap()
    page.wait_for_url(url + "/c/khoi-nghiep-2026/results")
    expect(page.locator("h1")).to_have_text("Kết quả")

    page.goto(url + "/c/khoi-nghiep-2026")
    expect(page.locator(".badge").first).to_have_text("Đã công bố kết quả")
    page.get_by_role("link", name="Xem kết quả").tap()
    page.wait_for_url(url + "/c/khoi-nghiep-2026/results")


def test_the_winning_team_reads_its_award_on_its_page(live_server, new_page):
    _name, team_id = _published(live_server)
    for options in (TABLET, DESKTOP):
        page, url = new_page(options), live_server.url
        page.goto(url + "/login")
        page.get_by_label("E-mail").fill("doitruong@example.vn")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto(f"{url}/teams/{team_id}")
        entry_card = page.locator("section", has=page.locator("#entry-h"))
        expect(entry_card).to_contain_text("Giải thưởng đạt được: Giải Nhất")
        entry_card.get_by_role("link", name="Xem kết quả").click()
        page.wait_for_url(url + "/c/khoi-nghiep-2026/results")


def test_a_scheduled_announcement_is_neither_linked_nor_announced_before_its_time(live_server, new_page):
    from datetime import timedelta

    from contest.models.base import utcnow

    with live_server.app.app_context():
        competition = make_competition("cong-bo-sau")
        announce_results(
            live_server.app, competition, [make_valid_entry(competition)], when=utcnow() + timedelta(days=1)
        )
        name = competition.name
    page, url = new_page(TABLET), live_server.url
    page.goto(url + "/")
    card = page.locator("article", has_text=name)
    expect(card.locator(".badge")).to_have_text("Đang nhận hồ sơ")
    expect(card.get_by_role("link", name=f"Kết quả {name}")).to_have_count(0)
