"""The audience vote on a phone (390×844): a visitor asks for a code, reads it
(here from the outbox table, as the mail would bring it), confirms the address
and votes; the count rises; a second vote from the same address is refused
politely."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.factories import make_competition, make_valid_entry, make_vote, vote_code_from_outbox

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def test_a_visitor_confirms_an_address_and_votes_once_on_a_phone(live_server, new_page):
    with live_server.app.app_context():
        competition = make_competition("binh-chon-2026")
        entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
        entries[1].title = "Nước mắm Sa Huỳnh"
        campaign = make_vote(competition, entries)
        vote_url = f"{live_server.url}/c/{competition.slug}/vote/{campaign.id}"
        title = entries[0].title
        first_id, second_id = entries[0].id, entries[1].id
    page = new_page(PHONE_390)

    page.goto(vote_url)
    check_accessibility(page)
    counts = page.locator(f'[data-votes="{first_id}"]')
    expect(counts).to_have_text("0 lượt bình chọn")
    page.get_by_label("Địa chỉ e-mail của bạn").fill("ban.doc@example.vn")
    page.get_by_role("button", name="Gửi mã cho tôi").tap()
    expect(page.get_by_text("Mã xác nhận đã được gửi đến ban.doc@example.vn")).to_be_visible()
    with live_server.app.app_context():
        code = vote_code_from_outbox("ban.doc@example.vn")
    page.get_by_label("Mã trong e-mail").fill(code)
    page.get_by_role("button", name="Xác nhận").tap()
    expect(page.get_by_text("Địa chỉ e-mail đã được xác nhận")).to_be_visible()
    check_accessibility(page)

    # A second tab of the same browser, opened before the vote, still shows the buttons.
    second = page.context.new_page()
    second.goto(vote_url)

    page.get_by_role("button", name=f"Bình chọn cho {title}").tap()
    expect(page.get_by_text("Cảm ơn bạn: lượt bình chọn đã được ghi nhận.")).to_be_visible()
    expect(page.get_by_text(f"ban.doc@example.vn đã bình chọn cho {title}")).to_be_visible()
    expect(counts).to_have_text("1 lượt bình chọn")
    assert page.get_by_role("button", name=re.compile("^Bình chọn cho")).count() == 0
    check_accessibility(page)

    # The same address votes again from the second tab: refused politely, nothing counted.
    second.get_by_role("button", name="Bình chọn cho Nước mắm Sa Huỳnh").tap()
    expect(second.get_by_role("alert")).to_have_text("Địa chỉ e-mail này đã bình chọn ở hạng mục này. Xin cảm ơn!")
    check_accessibility(second)
    page.goto(f"{vote_url}/count")
    expect(page.locator(f'[data-votes="{first_id}"]')).to_have_text("1")
    expect(page.locator(f'[data-votes="{second_id}"]')).to_have_text("0")
