"""The public results page on a 390 px phone and a touch tablet (issue 19,
point 5): no sideways scrolling of the page (the SHA-256 line wraps), each
board's table ranks its own entries from 1, and scores are written the
Vietnamese way ("87,00")."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import announce_results, make_competition, make_valid_entry

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}


def _two_boards(live_server) -> str:
    """Three entries on the Ideas board and two on the Projects board, the
    Projects board's best third overall."""
    with live_server.app.app_context():
        from contest.extensions import db

        competition = make_competition("ket-qua-2026")
        ideas, projects = competition.boards[0], competition.boards[1]
        entries = [make_valid_entry(competition, name=f"Đội {n}") for n in range(5)]
        for entry, board in zip(entries, (ideas, ideas, projects, ideas, projects), strict=True):
            entry.board_id = board.id
            entry.title = f"Dự án số {entry.id} " + "Nôngnghiệpcôngnghệcaobềnvững" * 2  # a long unbroken word
        db.session.commit()
        announce_results(live_server.app, competition, entries)
        return competition.slug


def _board_table(page, board_name):
    return page.locator("section", has=page.get_by_role("heading", name=board_name)).locator("table")


def test_the_results_fit_a_phone_and_rank_within_each_board(live_server, new_page):
    slug = _two_boards(live_server)
    page, url = new_page(PHONE_390), live_server.url
    page.goto(f"{url}/c/{slug}/results")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    expect(page.get_by_text(re.compile(r"[0-9a-f]{64}"))).to_be_visible()

    projects = _board_table(page, "Bảng Dự án")
    expect(projects.locator("thead th").first).to_have_text("Hạng trong bảng")
    expect(projects.locator("tbody tr td:first-child")).to_have_text(["1", "2"])
    expect(projects.locator("tbody tr").first).to_contain_text("Giải Nhất")
    ideas = _board_table(page, "Bảng Ý tưởng")
    expect(ideas.locator("tbody tr td:first-child")).to_have_text(["1", "2", "3"])

    scores = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert scores and all(re.fullmatch(r"\d{1,3},\d\d", s) for s in scores), scores
    assert scores[0] == "100,00"


def test_the_results_fit_a_touch_tablet(live_server, new_page):
    slug = _two_boards(live_server)
    page, url = new_page(TABLET), live_server.url
    page.goto(f"{url}/c/{slug}/results")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
    expect(_board_table(page, "Bảng Dự án").locator("tbody tr td:first-child")).to_have_text(["1", "2"])
