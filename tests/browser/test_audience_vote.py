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


def test_the_organizer_says_a_flagged_burst_is_the_halls_wifi_in_one_click(live_server, new_page):
    """At the ceremony the hall votes over its one Wi-Fi: the burst is flagged, the
    organizer taps "this is the hall's network" in its row; the votes stay counted,
    the flag goes, the network is listed as trusted and can be removed."""
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from judging.domain import votes
    from tests.factories import PASSWORD, make_user

    with live_server.app.app_context():
        competition = make_competition("le-trao-giai-2026")
        entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
        campaign = make_vote(competition, entries, burst_threshold=3)
        for i in range(3):
            votes.cast_vote(campaign, entries[0].id, f"hoi-truong{i}@example.vn", network="203.113.5.0/24")
        organizer = make_user("btc@example.vn", name="Ban Tổ Chức")
        grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
        from contest.extensions import db

        db.session.commit()
        page_url = f"{live_server.url}/manage/{competition.slug}/votes/{campaign.id}"
    page = new_page({"viewport": {"width": 1280, "height": 800}})
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("btc@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda u: "/login" not in u)

    page.goto(page_url)
    bursts = page.locator("section", has=page.get_by_role("heading", name="Các đợt bình chọn dồn dập đáng ngờ"))
    row = bursts.locator("tbody tr", has_text="203.113.5.0/24")
    expect(row).to_contain_text("3")
    expect(page.get_by_text("Chưa có mạng nào được tin cậy.")).to_be_visible()
    check_accessibility(page)
    row.get_by_role("button", name="Đây là mạng của hội trường").click()
    expect(page.get_by_text("Đã chấp nhận 3 lượt bình chọn; mạng 203.113.5.0/24 được tin cậy.")).to_be_visible()
    expect(page.get_by_text("Không có đợt bình chọn dồn dập nào bị đánh dấu.")).to_be_visible()
    networks = page.locator("#networks")
    expect(networks.get_by_role("listitem")).to_contain_text("203.113.5.0/24")
    check_accessibility(page)

    # A typing mistake is answered beside the field; then the hall's network is removed.
    networks.get_by_label(re.compile("^Mạng")).fill("203.113.5.0/99")
    networks.get_by_role("button", name="Tin cậy mạng này").click()
    expect(page.get_by_text("Nhập một mạng như 203.113.5.0/24")).to_be_visible()
    page.locator("#networks").get_by_role("button", name="Thôi tin cậy 203.113.5.0/24").click()
    expect(page.get_by_text("Mạng 203.113.5.0/24 không còn được tin cậy.")).to_be_visible()
    expect(page.get_by_text("Chưa có mạng nào được tin cậy.")).to_be_visible()
