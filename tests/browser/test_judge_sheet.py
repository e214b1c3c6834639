"""What the score sheet tells a judge on a 1024×768 touch tablet (issue 19,
point 3): a value the server refuses is shown as refused, with the reason,
never as saved; the save status and a running total stay in view while the
judge scrolls; the reason for amending a submitted sheet shows only once the
sheet is submitted; 15 on a 0–20 criterion in steps of 0.5 is one tap away."""

from playwright.sync_api import expect
from sqlalchemy import select

from tests.factories import (
    PASSWORD,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


def _world(app):
    with app.app_context():
        competition = make_competition()
        entry = make_valid_entry(competition)
        judge = make_judge(competition, make_user("giamkhao@example.vn", name="Võ Thị Lan"))
        round_ = make_round(competition, [entry], [judge], preset="provincial_100", name="Sơ khảo")
        criteria = [(c.id, c.name, float(c.max_points)) for c in round_.rubric.criteria]
        return f"/judge/rounds/{round_.id}/entries/{entry.id}", criteria


def _scores(app):
    from contest.extensions import db
    from judging.models import Score

    with app.app_context():
        values = {cid: float(v) for cid, v in db.session.execute(select(Score.criterion_id, Score.value)).all()}
        db.session.remove()
        return values


def _wait_for(page, check, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def _in_view(page, selector):
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768


def _tap_slider_at(page, criterion_id, fraction):
    """One tap on the criterion's slider, at `fraction` of its range (the thumb is 36 px wide)."""
    slider = page.locator(f'fieldset[data-criterion="{criterion_id}"] .stepper__slider')
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.touchscreen.tap(box["x"] + 18 + fraction * (box["width"] - 36), box["y"] + box["height"] / 2)


def test_the_sheet_says_what_the_server_holds(live_server, tablet_page):
    errors = []
    page, url = tablet_page, live_server.url
    page.on("pageerror", lambda e: errors.append(str(e)))
    path, criteria = _world(live_server.app)
    (first, first_name, _), (second, _second_name, _) = criteria[:2]
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill("giamkhao@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.get_by_role("link", name="Võ Thị Lan").wait_for()
    page.goto(url + path)

    # A fresh sheet: no reason-for-amending field; a total out of the rubric's 100.
    expect(page.locator("#reason-field")).to_be_hidden()
    expect(page.get_by_label("Lý do sửa phiếu chấm đã nộp")).to_be_hidden()
    expect(page.locator("#sheet-total")).to_have_text("Tổng điểm: 0/100")

    # 25 on a 0–20 criterion, with the connection up: refused, with the reason, never "saved".
    box = page.locator(f'fieldset[data-criterion="{first}"] .stepper__value')
    box.fill("25")
    page.locator("#comment").focus()
    expect(page.locator(f"#refused-{first}")).to_be_visible()
    expect(page.locator(f"#refused-{first}")).to_contain_text(f"{first_name}: 25 chưa được lưu.")
    expect(page.locator(f"#refused-{first}")).to_contain_text("được chấm từ 0 đến 20")
    expect(page.locator("#sync-status")).to_have_attribute("data-state", "error")
    expect(page.locator("#sync-status")).not_to_contain_text("Đã lưu mọi thay đổi")
    expect(page.locator("#sheet-total")).to_have_text("Tổng điểm: 0/100")
    assert _scores(live_server.app) == {}

    # 15 in steps of 0.5: one tap on the slider, not 30 on "+".
    _tap_slider_at(page, first, 0.75)
    assert _wait_for(page, lambda: _scores(live_server.app) == {first: 15.0}), _scores(live_server.app)
    expect(box).to_have_value("15")
    expect(page.locator(f"#refused-{first}")).to_be_hidden()
    expect(page.locator("#sync-status")).to_have_text("Đã lưu mọi thay đổi")
    page.locator(f'fieldset[data-criterion="{second}"] .stepper__value').fill("12,5")
    page.locator("#comment").focus()
    expect(page.locator("#sheet-total")).to_have_text("Tổng điểm: 27,5/100")
    # Read again from the server, a stored 12.5 is written the page's way in its box.
    assert _wait_for(page, lambda: _scores(live_server.app).get(second) == 12.5), _scores(live_server.app)
    page.reload()
    expect(page.locator(f'fieldset[data-criterion="{second}"] .stepper__value')).to_have_value("12,5")
    expect(box).to_have_value("15")
    expect(page.locator("#sheet-total")).to_have_text("Tổng điểm: 27,5/100")

    # Scrolled down to the comment, the status and the total are still in view.
    page.locator("#submit-sheet").scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.scrollY") > 600
    assert _in_view(page, "#sync-status") and _in_view(page, "#sheet-total")
    expect(page.locator("#sync-status")).to_have_text("Đã lưu mọi thay đổi")

    # Once submitted, amending asks for a reason.
    for criterion_id, _name, most in criteria[2:]:
        page.locator(f'fieldset[data-criterion="{criterion_id}"] .stepper__value').fill(str(int(most // 2)))
        page.locator("#comment").focus()
    expect(page.locator("#sheet-total")).to_have_text("Tổng điểm: 56,5/100")
    assert _wait_for(page, lambda: len(_scores(live_server.app)) == len(criteria))
    page.locator("#submit-sheet").tap()
    expect(page.locator("#sync-status")).to_have_text("Đã nộp phiếu chấm.")
    expect(page.locator("#reason-field")).to_be_visible()
    assert not errors, errors
