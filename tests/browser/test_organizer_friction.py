"""Issue 19, point 10: an organizer's way through a contest on a desktop, and
the ceremony on a touch tablet. Taking entries into a round says how many came
in, and when none did, why (entries must be marked valid first) with a link;
the secretariat marks many entries valid at once; the publication time is
filled in with now; the outbox shows translated states and opens a mail; the
ceremony page goes on with a tap; a double click on "remind" sends one request."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import TABLET, check_accessibility
from tests.browser.test_entry_double_submit import SlowSubmit
from tests.factories import (
    PASSWORD,
    fill_entry,
    make_competition,
    make_judge,
    make_round,
    make_team,
    make_user,
    make_valid_entry,
)

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _organizer(competition, email="btc@example.vn"):
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind

    organizer = make_user(email, name="Ban Tổ Chức")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    return organizer


def _log_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda u: "/login" not in u)


def test_a_round_takes_entries_once_they_are_marked_valid_many_at_once(live_server, new_page):
    from contest.domain.entries import submit
    from contest.extensions import db

    app = live_server.app
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        for name in ("Đội An", "Đội Bình", "Đội Cúc"):
            team = make_team(competition, name=name)
            submit(fill_entry(team), team.leader)  # submitted, not yet checked
        fill_entry(make_team(competition, name="Đội Nháp"))  # a draft: cannot be ticked
        round_ = make_round(competition, [], [], state="preparing")
        _organizer(competition)
        db.session.commit()
        slug, round_id = competition.slug, round_.id
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")

    round_url = f"{url}/manage/{slug}/judging/rounds/{round_id}"
    page.goto(round_url)
    take_in = page.get_by_role("button", name="Đưa các hồ sơ đủ điều kiện vào vòng thi")
    take_in.click()
    expect(page.locator(".alert--warning")).to_contain_text("Chưa thêm hồ sơ nào")
    expect(page.locator(".alert--warning")).to_contain_text("3 hồ sơ đã nộp chưa được đánh dấu hợp lệ")
    check_accessibility(page)

    page.get_by_role("link", name="Kiểm tra hồ sơ").click()
    page.get_by_role("checkbox", name="Chọn mọi hồ sơ đang hiển thị").check()
    expect(page.locator("input[name=entry]:checked")).to_have_count(3)
    page.get_by_label("Kết quả kiểm tra").select_option(label="Hợp lệ")
    page.get_by_role("button", name="Lưu kết quả kiểm tra cho các hồ sơ đã chọn").click()
    expect(page.locator(".alert--success")).to_contain_text("Đã lưu kết quả kiểm tra 3 hồ sơ")
    expect(page.get_by_role("cell", name="Hợp lệ", exact=True)).to_have_count(3)
    check_accessibility(page)

    page.goto(round_url)
    take_in.click()
    expect(page.locator(".alert--success")).to_have_text("Đã thêm 3 hồ sơ, bỏ 0 hồ sơ; vòng thi hiện có 3 hồ sơ.")
    with app.app_context():
        from contest.models import AuditEvent

        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "entry.validity")) == 3


def _scored_and_frozen(app):
    """A locked round of three entries, frozen, with awards proposed; nothing published."""
    from contest.extensions import db
    from judging.domain import awards, results
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState

    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entries = [make_valid_entry(competition, name=f"Đội {n}") for n in ("An", "Bình", "Cúc")]
        judge = make_judge(competition)
        round_ = make_round(competition, entries, [judge])
        for n, entry in enumerate(entries):
            for c in round_.rubric.criteria:
                apply_change(
                    round_.id, entry.id, judge.user_id, Change(f"{entry.id}-{c.id}", c.id, c.max_points - n, None, None)
                )
            submit_sheet(round_.id, entry.id, judge.user_id)
        round_.state = RoundState.locked
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        _organizer(competition)
        db.session.commit()
        return competition.slug, [e.team.name for e in entries]


def test_results_publish_at_once_without_typing_the_time(live_server, new_page):
    slug, teams = _scored_and_frozen(live_server.app)
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/judging/publish")
    filled = page.locator("#publish_at").input_value()
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(filled) - now) < timedelta(minutes=2), filled
    page.get_by_role("button", name="Hẹn giờ công bố").click()  # nothing typed
    expect(page.locator(".alert--success")).to_be_visible()
    check_accessibility(page)
    public = new_page(DESKTOP)
    public.goto(f"{url}/c/{slug}/results")
    expect(public.get_by_role("cell", name=teams[0], exact=True)).to_be_visible()


def test_the_ceremony_goes_on_with_a_tap_on_a_tablet(live_server, new_page):
    from contest.extensions import db
    from contest.models import Competition
    from contest.models.base import utcnow
    from judging.domain import publication
    from judging.models import ResultSnapshot

    app = live_server.app
    slug, teams = _scored_and_frozen(app)
    with app.app_context(), app.test_request_context():
        competition = db.session.scalar(select(Competition).where(Competition.slug == slug))
        publication.publish(competition, db.session.scalar(select(ResultSnapshot)), utcnow(), None)
        db.session.commit()
    url = live_server.url
    # A tap on the screen shows the next award; the Back button goes back one.
    tablet = new_page(TABLET)
    _log_in(tablet, url, "btc@example.vn")
    tablet.goto(f"{url}/manage/{slug}/judging/ceremony")
    expect(tablet.locator("#slide")).to_be_hidden()
    tablet.locator("#stage").tap(position={"x": 200, "y": 200})
    expect(tablet.locator("#slide")).to_be_visible()
    first = tablet.locator("#slide-award").inner_text()
    tablet.locator("#stage").tap(position={"x": 300, "y": 300})
    tablet.locator("#stage").tap(position={"x": 300, "y": 300})
    expect(tablet.locator("#slide-award")).to_have_text("Giải Nhất")
    expect(tablet.locator("#slide-team")).to_have_text(teams[0])
    assert first == "Giải Ba"
    tablet.get_by_role("button", name=re.compile("Quay lại")).tap()
    expect(tablet.locator("#slide-award")).to_have_text("Giải Nhì")
    for _ in range(4):
        tablet.get_by_role("button", name=re.compile("Quay lại")).tap()
    expect(tablet.locator("#hint")).to_contain_text("Chạm vào màn hình")


def test_staff_read_the_outbox_in_words_and_open_a_mail(live_server, new_page):
    from contest.domain.entries import set_validity
    from contest.extensions import db
    from contest.models import EntryValidity

    app = live_server.app
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entry = make_valid_entry(competition, name="Đội Tỏi Lý Sơn")
        set_validity(entry, EntryValidity.invalid, "Thiếu bản thuyết minh có chữ ký")
        make_user("quantri@example.vn", name="Quản Trị", admin=True)
        db.session.commit()
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "quantri@example.vn")
    page.goto(f"{url}/admin/outbox")
    row = page.get_by_role("row").filter(has_text="không hợp lệ")
    status = row.locator("td").nth(3)
    expect(status).to_have_text(re.compile(r"^(Đang chờ gửi|Đã gửi|Không gửi được \(đã dừng thử\))$"))
    assert not re.search(r"\b(pending|sent|failed)\b", page.locator("main table").inner_text())
    check_accessibility(page)
    row.get_by_role("link").click()
    expect(page.locator("pre.mail-text")).to_contain_text("Thiếu bản thuyết minh có chữ ký")
    expect(page.locator("dd[data-status]")).not_to_have_text(re.compile("pending|sent|failed"))


def test_a_rubrics_criteria_are_read_and_changed_and_a_scored_one_gets_a_new_version(live_server, new_page):
    from contest.extensions import db
    from judging.domain.rubrics import create_from_preset
    from judging.domain.scoring import Change, apply_change

    app = live_server.app
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entry = make_valid_entry(competition)
        judge = make_judge(competition)
        round_ = make_round(competition, [entry], [judge])  # its rubric gets a score below
        criterion = round_.rubric.criteria[0]
        apply_change(round_.id, entry.id, judge.user_id, Change("k", criterion.id, criterion.step, None, None))
        create_from_preset(competition.id, "provincial_100", "Thang điểm chung kết")
        _organizer(competition)
        db.session.commit()
        slug, scored_name = competition.slug, round_.rubric.name
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/judging/")
    page.locator("summary", has_text="Thang điểm chung kết").click()
    page.get_by_role("link", name="Sửa các tiêu chí của Thang điểm chung kết (phiên bản 1)").click()
    expect(page.locator("[data-frozen]")).to_have_count(0)
    page.get_by_label("Tiêu chí 1: tên").fill("Tính mới và sáng tạo")
    page.get_by_label("Tiêu chí 1: bước điểm").fill("0,25")
    page.get_by_role("button", name="Lưu tiêu chí chấm điểm").click()
    expect(page.locator(".alert--success")).to_have_text("Đã lưu tiêu chí chấm điểm.")
    expect(page.get_by_label("Tiêu chí 1: tên")).to_have_value("Tính mới và sáng tạo")
    expect(page.get_by_label("Tiêu chí 1: bước điểm")).to_have_value("0.25")
    check_accessibility(page)

    page.get_by_label("Tiêu chí 1: bước điểm").fill("abc")
    page.get_by_role("button", name="Lưu tiêu chí chấm điểm").click()
    expect(page.locator(".alert--error")).to_contain_text("Bước điểm của “Tính mới và sáng tạo” không phải là số.")
    expect(page.get_by_label("Tiêu chí 1: bước điểm")).to_have_value("abc")  # what was typed stays

    page.goto(f"{url}/manage/{slug}/judging/")
    page.locator("summary", has_text=scored_name).click()
    page.get_by_role("link", name=f"Sửa các tiêu chí của {scored_name} (phiên bản 1)").click()
    expect(page.locator("[data-frozen]")).to_contain_text("Đã có điểm chấm")
    page.get_by_label("Tiêu chí 2: tên").fill("")
    page.get_by_role("button", name="Lưu thành phiên bản mới").click()
    expect(page.locator(".alert--warning")).to_contain_text("đã tạo phiên bản 2")
    expect(page.locator("h1")).to_have_text(f"{scored_name} (v2)")


def test_the_live_board_updates_by_itself(live_server, new_page):
    from contest.extensions import db
    from judging.domain.scoring import Change, apply_change, submit_sheet

    app = live_server.app
    app.config["BOARD_REFRESH_SECONDS"] = 5
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entry = make_valid_entry(competition)
        judge = make_judge(competition)
        round_ = make_round(competition, [entry], [judge])
        _organizer(competition)
        db.session.commit()
        slug, ids = competition.slug, (round_.id, entry.id, judge.user_id)
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/judging/rounds/{ids[0]}")
    reason = page.locator("#reason")
    reason.fill("Đang gõ dở")  # typing elsewhere on the page is not lost when the board updates
    done = page.get_by_role("region", name="Tiến độ theo giám khảo (cuộn ngang)").locator("tbody tr td").first
    expect(done).to_have_text("0/1")
    with app.app_context(), app.test_request_context():  # the judge submits meanwhile, elsewhere
        round_id, entry_id, user_id = ids
        from judging.models import Round

        round_ = db.session.get(Round, round_id)
        for c in round_.rubric.criteria:
            apply_change(round_id, entry_id, user_id, Change(f"k{c.id}", c.id, c.max_points, None, None))
        submit_sheet(round_id, entry_id, user_id)
        db.session.commit()
    expect(done).to_have_text("1/1", timeout=15_000)  # no reload by the organizer
    expect(reason).to_have_value("Đang gõ dở")
    check_accessibility(page)


def test_a_double_click_on_remind_sends_one_request(live_server, new_page):
    """In the hall, on a slow connection, the organizer double-clicks "remind": the page sends
    one request (the button is disabled as it goes), and each judge behind gets one mail."""
    from contest.extensions import db
    from contest.models import OutboxMessage

    app = live_server.app
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entry = make_valid_entry(competition)
        judges = [make_judge(competition, make_user(name=f"Giám khảo {n}")) for n in range(2)]
        round_ = make_round(competition, [entry], judges)
        _organizer(competition)
        db.session.commit()
        slug, round_id, addresses = competition.slug, round_.id, {j.user.email for j in judges}
    slow = SlowSubmit(app, 1.5, suffix="/remind")
    app.wsgi_app = slow
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/judging/rounds/{round_id}")
    button = page.get_by_role("button", name="Nhắc các giám khảo chưa chấm xong")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(150)  # the first request is under way; a second press
    page.mouse.click(x, y)
    expect(page.get_by_role("status")).to_contain_text("Đã gửi thư nhắc 2 giám khảo chưa chấm xong.", timeout=15_000)
    slow.wait_until_idle()
    assert slow.received == 1
    with app.app_context():
        mailed = [r for r in db.session.scalars(select(OutboxMessage.recipient)) if r in addresses]
    assert sorted(mailed) == sorted(addresses)


def test_certificates_warn_when_the_signer_line_is_empty(live_server, new_page):
    from contest.extensions import db

    app = live_server.app
    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        make_valid_entry(competition)
        _organizer(competition)
        db.session.commit()
        slug = competition.slug
    url = live_server.url
    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/certificates")
    warning = page.locator("[data-unsigned]")
    expect(warning).to_contain_text("chưa có tên người ký")
    expect(warning.get_by_role("link")).to_have_count(2)
    check_accessibility(page)
    warning.get_by_role("link").first.click()
    expect(page.locator("[data-unsigned]")).to_contain_text("Chưa có họ tên người ký")
    page.get_by_label("Họ tên người ký").fill("Nguyễn Văn Ký")
    page.get_by_role("button", name="Lưu và xem trước").click()
    expect(page.locator("[data-unsigned]")).to_have_count(0)
    page.goto(f"{url}/manage/{slug}/certificates")
    expect(page.locator("[data-unsigned]").get_by_role("link")).to_have_count(1)
    page.get_by_role("button", name="Tạo các giấy chứng nhận").click()
    expect(page.locator(".alert--warning").first).to_contain_text("chưa có tên người ký")


def test_the_yearly_workbook_has_vietnamese_tab_names(live_server, new_page):
    import io

    import openpyxl

    from tests.contest.domain.test_reports import known_contest

    app = live_server.app
    with app.app_context(), app.test_request_context():
        from contest.extensions import db

        known_contest(db)
        make_user("quantri@example.vn", name="Lê Thị Thống Kê", admin=True)
        db.session.commit()
    page = new_page(DESKTOP)
    _log_in(page, live_server.url, "quantri@example.vn")
    page.goto(live_server.url + "/reports/")
    page.get_by_role("link", name="Báo cáo năm (XLSX, PDF)").click()
    with page.expect_download() as download:
        page.get_by_role("listitem").filter(has_text="2024").get_by_role("link", name="XLSX").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert {"Theo cấp tổ chức", "Theo đơn vị", "Theo bảng", "Theo lĩnh vực"} <= set(book.sheetnames)
    assert not {"level", "unit", "board", "field"} & set(book.sheetnames)
