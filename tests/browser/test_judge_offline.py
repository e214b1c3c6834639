"""A judge on a 1024×768 touch tablet scores an entry; the Wi-Fi drops; the
judge changes two scores and reloads the page without a connection; the
connection returns. The server must then hold exactly those values, each
change applied once, each in the audit log."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import check_accessibility
from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


def _segment(page, criterion_id, value):
    return page.locator(f'fieldset[data-criterion="{criterion_id}"] .segment[data-value="{value}"]')


def test_scores_survive_a_dropped_connection(live_server, tablet_page):
    errors = []
    tablet_page.on("pageerror", lambda e: errors.append(str(e)))
    with live_server.app.app_context():
        competition = make_competition()
        entry = make_valid_entry(competition)
        judge = make_judge(competition, make_user("giamkhao@example.vn", name="Võ Thị Lan"))
        round_ = make_round(competition, [entry], [judge], preset="five_point_weighted", name="Sơ khảo")
        round_id, entry_id = round_.id, entry.id
        first, second = (c.id for c in round_.rubric.criteria[:2])
    page, url = tablet_page, live_server.url

    page.goto(url + "/login")
    page.get_by_label("E-mail").fill("giamkhao@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Võ Thị Lan").wait_for()
    page.goto(url + "/judge/")
    page.get_by_role("link", name="Sơ khảo").tap()
    expect(page.locator("#progress")).to_contain_text("0/1")
    check_accessibility(page)
    page.locator(".queue__link").first.tap()
    # The service worker takes over; load the page once under it so it is cached.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()
    check_accessibility(page)

    _segment(page, first, 4).tap()
    expect(_segment(page, first, 4)).to_have_attribute("aria-checked", "true")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved")

    page.context.set_offline(True)
    _segment(page, second, 3).tap()
    _segment(page, first, 5).tap()
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "offline")
    expect(page.locator("#sync-status")).to_contain_text("2")

    reloaded = page.reload()  # no connection: the page comes from the tablet's cache
    assert reloaded.from_service_worker
    expect(_segment(page, first, 5)).to_have_attribute("aria-checked", "true")
    expect(_segment(page, second, 3)).to_have_attribute("aria-checked", "true")
    expect(page.locator("#sync-status")).to_contain_text("2")

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "saved", timeout=15_000)

    with live_server.app.app_context():
        from contest.extensions import db
        from contest.models import AuditEvent
        from judging.models import AppliedChange, Score

        values = dict(db.session.execute(select(Score.criterion_id, Score.value)).all())
        assert values == {first: 5, second: 3}
        assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 3
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "score.changed").order_by(AuditEvent.id)
        ).all()
        assert [(e.after["criterion"], e.before["value"], e.after["value"]) for e in events] == [
            (first, None, "4"),
            (second, None, "3"),
            (first, "4", "5"),
        ]
        assert all(e.device and e.device.startswith("d-") for e in events)
    assert round_id and entry_id
    assert not errors, errors
