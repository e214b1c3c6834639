"""The tablet's save queue when the server says no, or cannot answer, and what
the tablet keeps once the judge logs out.

- A change the server refuses (4xx) leaves the queue at once, is shown to the
  judge (which criterion or the comment, and the server's own message), and
  never holds back the changes after it.
- A change the server cannot save yet (5xx, no connection) is sent again with
  a growing pause until it is saved; meanwhile the later changes go.
- Log-out empties the Cache Storage and the queue, through the page itself
  (where Clear-Site-Data is not honoured) and through the header; a cached
  page is never served to another account."""

import re
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import check_accessibility
from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)

CHANGES = "**/api/rounds/*/sheets/*/changes"


def _world(app, preset="provincial_100", judges=("giamkhao@example.vn",)):
    with app.app_context():
        competition = make_competition()
        entry = make_valid_entry(competition)
        people = [make_judge(competition, make_user(email, name=f"Giám khảo {i}")) for i, email in enumerate(judges)]
        round_ = make_round(competition, [entry], people, preset=preset, name="Sơ khảo")
        criteria = [(c.id, c.name) for c in round_.rubric.criteria]
        return f"/judge/rounds/{round_.id}/entries/{entry.id}", criteria


def _log_in(page, url, email, name="Giám khảo 0"):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name=name).wait_for()


def _open_sheet(page, url, path):
    page.goto(url + path)
    # Under the service worker, so the page and its assets are cached.
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()


def _stepper(page, criterion_id):
    return page.locator(f'fieldset[data-criterion="{criterion_id}"] .stepper__value')


def _queue(page):
    return page.evaluate("() => JSON.parse(localStorage.getItem('judge-queue') || '[]')")


def _scores(app):
    from contest.extensions import db
    from judging.models import Score

    with app.app_context():
        values = {cid: float(v) for cid, v in db.session.execute(select(Score.criterion_id, Score.value)).all()}
        db.session.remove()
        return values


def _comment(app):
    from contest.extensions import db
    from judging.models import ScoreSheet

    with app.app_context():
        comment = db.session.scalar(select(ScoreSheet.comment))
        db.session.remove()
        return comment


def _wait_for(page, check, timeout=20.0):
    """Poll `check`; the page's own waiting lets Playwright run route handlers meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def test_a_refused_change_is_shown_and_the_next_is_saved(live_server, tablet_page):
    errors = []
    page, url = tablet_page, live_server.url
    page.on("pageerror", lambda e: errors.append(str(e)))
    path, criteria = _world(live_server.app)
    (first, first_name), (second, second_name) = criteria[:2]  # both scored 0–20 in steps of 0.5
    _log_in(page, url, "giamkhao@example.vn")
    _open_sheet(page, url, path)

    # Offline, the judge types 25 (refused: 0–20), then 12,5 on the next criterion.
    page.context.set_offline(True)
    _stepper(page, first).fill("25")
    _stepper(page, second).focus()  # the change event of the first
    _stepper(page, second).fill("12,5")
    page.locator("#comment").focus()
    expect(page.locator("#sync-status")).to_contain_text("2")
    assert len(_queue(page)) == 2

    page.context.set_offline(False)
    refused = page.locator("#refused")
    expect(refused).to_be_visible(timeout=15_000)
    # What was refused, and why, in the judge's language (the server's message).
    expect(refused).to_contain_text(f"{first_name}: 25 chưa được lưu.")
    expect(refused).to_contain_text(f"“{first_name}” được chấm từ 0 đến 20.")
    expect(page.locator(f'fieldset[data-criterion="{first}"]')).to_have_class(re.compile(r"\bcriterion--refused\b"))
    expect(page.locator(f"#refused-{first}")).to_contain_text("được chấm từ 0 đến 20")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "error")
    assert _wait_for(page, lambda: _scores(live_server.app) == {second: 12.5}), _scores(live_server.app)
    expect(_stepper(page, first)).to_have_value("")  # the value saved (none), with the reason beside it
    expect(_stepper(page, second)).to_have_value("12,5")  # as the judge typed it, the page's way
    assert _wait_for(page, lambda: _queue(page) == []), _queue(page)  # the answer reached the page too
    check_accessibility(page)

    # The refusal is kept on the device (a reload still shows it) until the
    # judge hides it or changes that criterion again.
    page.reload()
    expect(refused).to_contain_text(f"{first_name}: 25 chưa được lưu.")
    _stepper(page, first).fill("18")
    _stepper(page, second).focus()
    expect(refused).to_be_hidden()
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved")
    assert _wait_for(page, lambda: _scores(live_server.app) == {first: 18, second: 12.5})

    # A comment the server refuses (a NUL character) stays in the box with the
    # reason, out of the queue; the next score is saved; the corrected comment too.
    page.locator("#comment").fill("Ý tưởng tốt\x00")
    _stepper(page, second).focus()
    expect(page.locator("#comment-refused")).to_contain_text("NUL")
    expect(refused).to_contain_text("Nhận xét chưa được lưu.")
    expect(page.locator("#comment")).to_have_value("Ý tưởng tốt\x00")
    expect(page.locator("#comment")).to_have_attribute("aria-invalid", "true")
    _stepper(page, second).fill("14")
    page.locator("#comment").focus()
    assert _wait_for(page, lambda: _scores(live_server.app) == {first: 18, second: 14})
    assert _wait_for(page, lambda: _queue(page) == []), _queue(page)  # the answer reached the page too
    page.locator("#comment").fill("Ý tưởng tốt")
    _stepper(page, second).focus()
    expect(refused).to_be_hidden()
    assert _wait_for(page, lambda: _comment(live_server.app) == "Ý tưởng tốt")

    # Hiding a notice: the refused change is gone for good.
    _stepper(page, first).fill("-1")
    page.locator("#comment").focus()
    expect(refused).to_be_visible()
    refused.get_by_role("button", name="Ẩn thông báo này").tap()
    expect(refused).to_be_hidden()
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved")
    assert page.evaluate("() => JSON.parse(localStorage.getItem('judge-refused') || '[]')") == []
    assert _scores(live_server.app) == {first: 18, second: 14}
    assert not errors, errors


def test_a_failing_save_is_retried_with_backoff_and_holds_back_nothing(live_server, tablet_page):
    errors = []
    page, url = tablet_page, live_server.url
    page.on("pageerror", lambda e: errors.append(str(e)))
    path, criteria = _world(live_server.app, preset="five_point_weighted")
    first, second, third = (cid for cid, _name in criteria[:3])
    _log_in(page, url, "giamkhao@example.vn")
    _open_sheet(page, url, path)

    # The first two sends fail (a 503, then no answer at all); the third is saved.
    attempts = []

    def flaky(route):
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            route.fulfill(status=503, content_type="text/html", body="<h1>Service Unavailable</h1>")
        elif len(attempts) == 2:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(CHANGES, flaky)
    page.locator(f'fieldset[data-criterion="{first}"] .segment[data-value="4"]').tap()
    assert _wait_for(page, lambda: _scores(live_server.app) == {first: 4}), attempts
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved")
    assert len(attempts) == 3
    # Not at once: a pause (with jitter, at least half of 1 s, then of 2 s) before each new try.
    assert attempts[1] - attempts[0] >= 0.45 and attempts[2] - attempts[1] >= 0.45, attempts
    page.unroute(CHANGES)

    # One change the server keeps failing on (every comment answers 500) does
    # not hold back the scores tapped after it; it goes once the server can take it.
    comment_tries = []

    def comments_fail(route):
        if "comment" in (route.request.post_data or ""):
            comment_tries.append(time.monotonic())
            route.fulfill(status=500, content_type="application/json", body="{}")
        else:
            route.continue_()

    page.route(CHANGES, comments_fail)
    page.locator("#comment").fill("Nhóm mạnh")
    page.locator(f'fieldset[data-criterion="{second}"] .segment[data-value="3"]').tap()
    page.locator(f'fieldset[data-criterion="{third}"] .segment[data-value="5"]').tap()
    assert _wait_for(page, lambda: _scores(live_server.app) == {first: 4, second: 3, third: 5}), (
        _scores(live_server.app),
        _queue(page),
        comment_tries,
        page.locator("#sync-status").text_content(),
    )
    assert len(comment_tries) <= 3, comment_tries  # they went at once, not after the comment's retries
    assert _wait_for(page, lambda: [item["body"].get("comment") for item in _queue(page)] == ["Nhóm mạnh"]), _queue(
        page
    )
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saving")
    _wait_for(page, lambda: len(comment_tries) >= 2)
    page.unroute(CHANGES)
    assert _wait_for(page, lambda: _comment(live_server.app) == "Nhóm mạnh")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    assert _wait_for(page, lambda: _queue(page) == []), _queue(page)  # the answer reached the page too

    # Half an emoji pasted alone (a lone surrogate) cannot be stored: it is
    # sent as U+FFFD, as the screen shows it, and blocks nothing.
    page.evaluate("""() => {
        const box = document.getElementById('comment');
        box.value = 'Tốt \\ud83d';
        box.dispatchEvent(new Event('change', {bubbles: true}));
    }""")
    page.locator(f'fieldset[data-criterion="{second}"] .segment[data-value="2"]').tap()
    assert _wait_for(page, lambda: _comment(live_server.app) == "Tốt \ufffd"), _comment(live_server.app)
    assert _wait_for(page, lambda: _scores(live_server.app)[second] == 2)
    assert not errors, errors


def _cache_names(page):
    return page.evaluate("async () => await caches.keys()")


def _stored(page):
    return page.evaluate("() => Object.keys(localStorage)")


def test_log_out_forgets_the_pages_documents_and_queue(live_server, tablet_page):
    page, url = tablet_page, live_server.url
    path, criteria = _world(live_server.app, preset="five_point_weighted")
    first = criteria[0][0]
    _log_in(page, url, "giamkhao@example.vn")
    _open_sheet(page, url, path)
    assert any(name.startswith("judge-pages-v2:") for name in _cache_names(page))

    # One handler for the whole test, answering as planned: subscribing and
    # unsubscribing per dialog races with Playwright's server, which dismisses
    # a dialog by itself while nobody is subscribed.
    asked, answers = [], ["dismiss", "accept"]

    def reply(dialog):
        asked.append(dialog.message)
        planned = answers.pop(0) if answers else "dismiss"  # one more would be a fault
        dialog.accept() if planned == "accept" else dialog.dismiss()

    page.on("dialog", reply)

    # Offline with a change not sent: log-out asks first; "cancel" keeps everything.
    page.context.set_offline(True)
    page.locator(f'fieldset[data-criterion="{first}"] .segment[data-value="4"]').tap()
    page.get_by_role("button", name="Đăng xuất").tap()
    _wait_for(page, lambda: asked, timeout=5)
    assert asked and asked[0].startswith("1 thay đổi chưa được gửi tới máy chủ"), asked
    assert len(_queue(page)) == 1
    assert _cache_names(page)

    # Where Clear-Site-Data is not honoured, the page forgets by itself: here
    # the log-out never reaches the server (answered 204, no header at all).
    page.route("**/logout", lambda route: route.fulfill(status=204))
    with page.expect_request("**/logout"):
        page.get_by_role("button", name="Đăng xuất").tap()
    assert len(asked) == 2, asked
    assert _cache_names(page) == []
    assert _stored(page) == []
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    page.unroute("**/logout")
    page.context.set_offline(False)

    # The real log-out (the session was never ended above): the server's answer
    # carries Clear-Site-Data, and the tablet keeps nothing.
    _open_sheet(page, url, path)
    assert _cache_names(page)
    assert "device-account" in _stored(page)
    with page.expect_response("**/logout") as answer:
        page.get_by_role("button", name="Đăng xuất").tap()
    assert answer.value.header_value("Clear-Site-Data") == '"cache", "storage"'
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    assert _cache_names(page) == []
    assert "judge-queue" not in _stored(page)
    assert _stored(page) == []

    # And without a connection, the judge's page is not there any more.
    page.context.set_offline(True)
    try:
        answer = page.goto(url + path)
    except PlaywrightError:
        answer = None  # no service worker any more: the browser's own offline error
    assert answer is None or (answer.status == 503 and "Sơ khảo" not in answer.text())
    page.context.set_offline(False)


def test_a_cached_page_is_never_served_to_another_account(live_server, tablet_page):
    page, url = tablet_page, live_server.url
    path, criteria = _world(live_server.app, preset="five_point_weighted", judges=("lan@example.vn", "hoa@example.vn"))
    first = criteria[0][0]
    _log_in(page, url, "lan@example.vn", name="Giám khảo 0")
    _open_sheet(page, url, path)
    page.context.set_offline(True)
    page.locator(f'fieldset[data-criterion="{first}"] .segment[data-value="4"]').tap()
    assert len(_queue(page)) == 1
    # The first judge's session ends (not logged out) with that change unsent:
    # it waits on the tablet for the judge to log in again.
    page.context.clear_cookies()
    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_contain_text("Bạn không còn đăng nhập", timeout=15_000)
    assert len(_queue(page)) == 1
    # Another judge signs in on the same tablet instead.
    _log_in(page, url, "hoa@example.vn", name="Giám khảo 1")
    # Nothing of the first account is kept for the second: not its pages, not its queue.
    assert _wait_for(
        page, lambda: not any(name.startswith("judge-pages-v2:") for name in _cache_names(page)), timeout=5
    )
    assert "judge-queue" not in _stored(page)
    page.context.set_offline(True)
    answer = page.goto(url + path)
    assert answer.status == 503
    assert "Giám khảo 0" not in page.content()
    page.context.set_offline(False)

    # Online, the second judge's own page is cached for the second judge only.
    _open_sheet(page, url, path)
    names = [name for name in _cache_names(page) if name.startswith("judge-pages-v2:")]
    assert len(names) == 1
    expect(page.get_by_role("link", name="Giám khảo 1")).to_be_visible()
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("link", name="Giám khảo 1")).to_be_visible()
    page.context.set_offline(False)
    from contest.extensions import db
    from judging.models import Score

    with live_server.app.app_context():
        assert (
            db.session.scalars(select(Score)).all() == []
        )  # the first judge's unsent change never went as the second's
        db.session.remove()
