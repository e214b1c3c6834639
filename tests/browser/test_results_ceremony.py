"""An organizer on a desktop freezes a round's results, applies the
advancement rule, gives the awards and schedules the announcement. Before the
time the public page shows nothing; after it, the results; the ceremony page
reveals the awards from the lowest tier up to Giải Nhất."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _seed(app):
    from contest.domain.competitions import grant_role
    from contest.extensions import db
    from contest.models import CompetitionRoleKind
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState

    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entries = [make_valid_entry(competition, name=f"Đội {n}") for n in ("An", "Bình", "Cúc", "Dũng", "Em")]
        panel = [make_judge(competition) for _ in range(3)]
        round_ = make_round(competition, entries, panel)
        make_round(competition, [], [], name="Chung kết", state="preparing")
        for rank, entry in enumerate(entries):
            for judge in panel:
                for c in round_.rubric.criteria:
                    value = c.step * int(float(c.max_points / c.step) * (0.9 - 0.12 * rank))
                    apply_change(
                        round_.id,
                        entry.id,
                        judge.user_id,
                        Change(f"{judge.id}-{entry.id}-{c.id}", c.id, value, None, None),
                    )
                submit_sheet(round_.id, entry.id, judge.user_id)
        round_.state = RoundState.locked
        organizer = make_user("btc@example.vn", name="Ban Tổ Chức")
        grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
        db.session.commit()
        return competition.slug, round_.id, [e.team.name for e in entries], [e.code for e in entries]


def test_results_from_freeze_to_ceremony(live_server, new_page):
    slug, round_id, teams, codes = _seed(live_server.app)
    page = new_page(DESKTOP)
    context = page.context
    url = live_server.url
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill("btc@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Ban Tổ Chức").wait_for()

    base = f"{url}/manage/{slug}/judging"
    page.goto(f"{base}/rounds/{round_id}/results")
    check_accessibility(page)
    page.locator("form[action$='/results/freeze'] button").click()
    expect(page.locator("main")).to_contain_text("v")  # the snapshot line appears
    page.goto(f"{base}/rounds/{round_id}/advancement")
    page.locator("#top_n").fill("3")
    page.locator("input[name=action][value=rule] ~ p button, form:has(input[value=rule]) button").first.click()
    form = page.locator("form:has(input[name=action][value=apply])")
    expect(form.locator("input[name=entry]:checked")).to_have_count(3)
    form.locator("button[type=submit]").click()
    check_accessibility(page)

    page.goto(f"{base}/awards")
    page.locator("form:has(input[value=defaults]) button").click()
    page.locator("form:has(input[value=propose]) button").click()
    expect(page.locator("table").nth(1)).to_contain_text(codes[0])
    check_accessibility(page)

    page.goto(f"{base}/publish")
    page.locator("#publish_at").fill(_local_in(minutes=30))
    page.locator("form:has(input[value=publish]) button").click()
    check_accessibility(page)

    public = new_page(DESKTOP)
    public.goto(f"{url}/c/{slug}/results")
    expect(public.locator("[data-results=none]")).to_be_visible()
    assert teams[0] not in public.content()
    assert public.request.get(f"{url}/c/{slug}/results.json").json() == {"published": False}

    _announcement_time_passes(live_server.app, slug)
    public.goto(f"{url}/c/{slug}/results")
    for team in teams:
        expect(public.get_by_role("cell", name=team, exact=True)).to_be_visible()
    expect(public.locator("meta[property='og:title']")).to_have_count(1)
    check_accessibility(public)
    response = public.request.get(f"{url}/c/{slug}/results.json")
    assert response.json()["published"] is True and response.headers["etag"]
    again = public.request.get(f"{url}/c/{slug}/results.json", headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304

    page.goto(f"{base}/ceremony")
    expect(page.locator("#slide")).to_be_hidden()
    context.set_offline(True)  # the hall's network drops once the page has loaded
    shown = []
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        shown.append((page.locator("#slide-award").inner_text(), page.locator("#slide-team").inner_text()))
    # Lowest tier first (two Khuyến khích), Giải Nhất last, for the single board.
    assert [award for award, _ in shown][-1] == "Giải Ba"
    page.keyboard.press("ArrowRight")
    assert page.locator("#slide-award").inner_text() == "Giải Nhì"
    page.keyboard.press("ArrowRight")
    assert page.locator("#slide-award").inner_text() == "Giải Nhất"
    assert page.locator("#slide-team").inner_text() == teams[0]
    assert shown[0] == ("Giải Khuyến khích", teams[4]) and shown[1] == ("Giải Khuyến khích", teams[3])
    context.set_offline(False)


def _local_in(minutes: int) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _announcement_time_passes(app, slug):
    """Move the scheduled time into the past, as the clock would."""
    from contest.extensions import db
    from contest.models.base import utcnow
    from judging.domain.publication import forget_cached
    from judging.models import Publication

    with app.app_context():
        publication = db.session.query(Publication).one()
        publication.publish_at = utcnow() - timedelta(seconds=1)
        forget_cached(slug)
        db.session.commit()
