"""A judge's day on a 1024×768 touch tablet, the hall's Wi-Fi gone.

Once the judge has opened the round's queue with a connection, every sheet
assigned to the judge and its documents are on the tablet: "Tiếp ›" and
"Danh sách chấm" open without a connection, a page the tablet does not keep
says so in Vietnamese, and the changes waiting on the tablet are sent from the
queue page itself when the connection returns (issue 19, point 2)."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import check_accessibility, cut_network
from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


def _world(app, entries=3):
    with app.app_context():
        competition = make_competition()
        made = [make_valid_entry(competition) for _ in range(entries)]
        judge = make_judge(competition, make_user("giamkhao@example.vn", name="Võ Thị Lan"))
        round_ = make_round(competition, made, [judge], preset="five_point_weighted", name="Sơ khảo")
        criteria = [c.id for c in round_.rubric.criteria]
        documents = {e.id: [a.id for a in e.current_attachments()] for e in made}
        return round_.id, sorted(documents), criteria, documents


def _log_in_and_open_queue(page, url):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill("giamkhao@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Võ Thị Lan").wait_for()
    page.goto(url + "/judge/")
    page.get_by_role("link", name="Sơ khảo").tap()
    # The queue page asks the tablet to keep the whole round: home, queue, 3 sheets, 6 documents.
    expect(page.locator("#precache-status")).to_have_attribute("data-kept", "11", timeout=20_000)
    expect(page.locator("#precache-status")).to_contain_text("Đã lưu 11 trang của vòng thi này")


def _segment(page, criterion_id, value):
    return page.locator(f'fieldset[data-criterion="{criterion_id}"] .segment[data-value="{value}"]')


def _queue(page):
    return page.evaluate("() => JSON.parse(localStorage.getItem('judge-queue') || '[]')")


def _scores(app):
    from contest.extensions import db
    from judging.models import Score, ScoreSheet

    with app.app_context():
        rows = db.session.execute(
            select(ScoreSheet.entry_id, Score.criterion_id, Score.value).join(Score, Score.sheet_id == ScoreSheet.id)
        ).all()
        db.session.remove()
        return {(entry_id, cid): float(value) for entry_id, cid, value in rows}


def _wait_for(page, check, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(250)


def test_next_and_queue_work_offline_and_the_queue_page_sends(live_server, tablet_page):
    errors = []
    page, url = tablet_page, live_server.url
    page.on("pageerror", lambda e: errors.append(str(e)))
    round_id, entry_ids, criteria, _documents = _world(live_server.app)
    _log_in_and_open_queue(page, url)

    cut_network(live_server, page, True)  # before any sheet has been opened
    page.locator(".queue__link").first.tap()
    expect(page.locator("h1")).to_contain_text("Tỏi đen Lý Sơn")
    page.get_by_role("link", name="Tiếp ›").tap()
    expect(page).to_have_url(f"{url}/judge/rounds/{round_id}/entries/{entry_ids[1]}")
    _segment(page, criteria[0], 4).tap()
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "offline")
    page.get_by_role("link", name="Danh sách chấm").tap()
    expect(page).to_have_url(f"{url}/judge/rounds/{round_id}")
    expect(page.locator("#offline-status")).to_contain_text("1 thay đổi")

    # A judge page the tablet does not keep: said in Vietnamese, with the way back.
    answer = page.goto(url + f"/judge/rounds/{round_id + 1}")
    assert answer.status == 503
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Không có kết nối mạng")
    assert "Offline" not in page.content()
    check_accessibility(page)
    page.get_by_role("link", name="Danh sách chấm").tap()
    expect(page).to_have_url(f"{url}/judge/")
    page.get_by_role("link", name="Sơ khảo").tap()
    expect(page.locator("#offline-status")).to_contain_text("1 thay đổi")

    # The connection returns while the queue page is open: it sends the change itself.
    cut_network(live_server, page, False)
    assert _wait_for(page, lambda: _scores(live_server.app) == {(entry_ids[1], criteria[0]): 4.0}), _scores(
        live_server.app
    )
    assert _wait_for(page, lambda: _queue(page) == []), _queue(page)
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "0")
    assert not errors, errors


def test_a_whole_day_scored_offline_drains_on_reconnect(live_server, tablet_page):
    errors = []
    page, url = tablet_page, live_server.url
    page.on("pageerror", lambda e: errors.append(str(e)))
    round_id, entry_ids, criteria, documents = _world(live_server.app)
    _log_in_and_open_queue(page, url)

    cut_network(live_server, page, True)  # the Wi-Fi goes before the first sheet is opened
    expected = {}
    for n, entry_id in enumerate(entry_ids):
        page.locator(".queue__link").nth(n).tap()
        expect(page).to_have_url(f"{url}/judge/rounds/{round_id}/entries/{entry_id}")
        expect(page.locator("#score-form")).to_be_visible()
        # Its documents open too, from the tablet.
        for attachment_id in documents[entry_id]:
            fetched = page.evaluate(
                """async (path) => {
                const r = await fetch(path);
                return [r.status, r.headers.get('Content-Type'), (await r.arrayBuffer()).byteLength];
            }""",
                f"/judge/rounds/{round_id}/entries/{entry_id}/documents/{attachment_id}",
            )
            assert fetched[0] == 200 and fetched[1].startswith("application/pdf") and fetched[2] > 100, fetched
        for i, criterion_id in enumerate(criteria):
            value = (i + n) % 5 + 1
            _segment(page, criterion_id, value).tap()
            expected[(entry_id, criterion_id)] = float(value)
        page.locator("#comment").fill(f"Nhận xét {n + 1}")
        page.locator("#comment").blur()
        expect(page.locator("#sync-status")).to_have_attribute("data-state", "offline")
        expect(page.locator("#sync-status")).to_contain_text(str(len(expected) + n + 1))
        page.get_by_role("link", name="Danh sách chấm").tap()
        expect(page.locator("#offline-status")).to_contain_text(f"{len(expected) + n + 1} thay đổi")
    assert len(_queue(page)) == 3 * len(criteria) + 3
    assert _scores(live_server.app) == {}

    # A sheet opened again offline shows what was entered on it.
    page.locator(".queue__link").first.tap()
    expect(_segment(page, criteria[0], 1)).to_have_attribute("aria-checked", "true")
    expect(page.locator("#comment")).to_have_value("Nhận xét 1")
    page.get_by_role("link", name="Danh sách chấm").tap()

    cut_network(live_server, page, False)
    assert _wait_for(page, lambda: _scores(live_server.app) == expected, timeout=60), _scores(live_server.app)
    assert _wait_for(page, lambda: _queue(page) == []), len(_queue(page))
    with live_server.app.app_context():
        from contest.extensions import db
        from contest.models import AuditEvent
        from judging.models import AppliedChange, ScoreSheet

        assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == len(expected) + 3
        assert sorted(db.session.scalars(select(ScoreSheet.comment)).all()) == [
            "Nhận xét 1",
            "Nhận xét 2",
            "Nhận xét 3",
        ]
        assert db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "score.changed")
        ) == len(expected)
        db.session.remove()
    # Back online, a sheet shows the server's values.
    page.locator(".queue__link").last.tap()
    expect(_segment(page, criteria[0], 3)).to_have_attribute("aria-checked", "true")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved")
    assert not errors, errors
