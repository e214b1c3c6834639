"""A team leader on a phone, on a slow connection, taps "Nộp hồ sơ dự thi"
twice: one version, one receipt mail. The entry page says the deadline in
formal words and the time left."""

import threading
import time
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from contest.extensions import db
from contest.models import Entry, OutboxMessage
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, fill_entry, make_competition, make_team, make_user

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


class SlowSubmit:
    """The provincial connection: each submission takes a while to be answered,
    long enough for a second tap. Counts the submissions under way (POSTs to a
    path ending in `suffix`)."""

    def __init__(self, app, seconds, suffix="/entry/submit"):
        self.wsgi_app, self.seconds, self.suffix = app.wsgi_app, seconds, suffix
        self.running = 0
        self.received = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].endswith(self.suffix):
            return self.wsgi_app(environ, start_response)
        with self.lock:
            self.running += 1
            self.received += 1
        try:
            time.sleep(self.seconds)
            return self.wsgi_app(environ, start_response)
        finally:
            with self.lock:
                self.running -= 1

    def wait_until_idle(self):
        deadline = time.monotonic() + 15
        while self.running and time.monotonic() < deadline:
            time.sleep(0.05)


def test_a_double_tap_submits_once(live_server, new_page):
    app = live_server.app
    with app.app_context():
        leader = make_user("truong.nhom@example.vn", name="Lê Thị Thu")
        competition = make_competition("khoi-nghiep-2026")
        team = make_team(competition, leader, name="Tỏi đen Lý Sơn")
        entry_id, team_id = fill_entry(team).id, team.id
        deadline = competition.submission_deadline.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        db.session.commit()
    slow = SlowSubmit(app, 1.5)
    app.wsgi_app = slow

    page = new_page(PHONE_390)
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("truong.nhom@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Đội của tôi").first.wait_for()
    page.goto(f"{live_server.url}/teams/{team_id}/entry")

    # The deadline, in formal words, and the time left (the competition closes in 30 days).
    shown = page.locator("#deadline")
    expect(shown).to_contain_text(
        f"Hạn nộp hồ sơ: {deadline:%H:%M} ngày {deadline.day} tháng {deadline.month} năm {deadline.year}"
    )
    expect(shown).to_contain_text("còn 29 ngày")
    expect(shown).to_be_in_viewport()
    check_accessibility(page)

    # Two taps on the button, a moment apart, as a thumb does; the page reports
    # the button as each tap finds it.
    page.evaluate("async () => { await (window.__axeDone || null); }")  # the page is idle
    seen = []
    page.on("console", lambda message: seen.append(message.text) if message.text.startswith("tap:") else None)
    button = page.get_by_role("button", name="Nộp hồ sơ dự thi")
    button.scroll_into_view_if_needed()
    button.evaluate(
        """(b) => b.addEventListener("touchend", () => setTimeout(() =>
             console.log(`tap: ${b.disabled ? "disabled" : "enabled"} ${b.textContent}`), 0))"""
    )
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(150)
    page.touchscreen.tap(x, y)
    page.get_by_role("heading", name="Hồ sơ dự thi của bạn đã được tiếp nhận").wait_for(timeout=15_000)
    slow.wait_until_idle()

    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert [v.number for v in entry.versions] == [1], f"{slow.received} submissions reached the server"
        receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "truong.nhom@example.vn"))
        assert len(receipts.all()) == 1
    # While the first is under way the button says so and cannot be tapped again.
    assert seen[-1:] == ["tap: disabled Đang nộp…"], seen
