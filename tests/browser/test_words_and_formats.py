"""Issue 19, point 11: the words and date formats people read, on a desktop.
The verify page writes "ngày 6 tháng 12 năm 2026"; dates on pages are
dd/MM/yyyy with a four-digit year (never ISO); the judging menu says
"Chấm điểm", not "Đang chấm thi" (a competition's state); a member with an
account reads "Có", not "Rồi"; the audit log shows translated actions and
readable values, in a table one can scroll from the keyboard."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, make_competition, make_judge, make_user, make_valid_entry

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TWO_DIGIT_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b(?!/)")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _seed(app):
    from contest.domain import certificates
    from contest.domain.entries import set_validity
    from contest.extensions import db
    from contest.models import CertificateKind, EntryValidity

    with app.app_context(), app.test_request_context():
        competition = make_competition("khoi-nghiep-2026")
        entry = make_valid_entry(competition, name="Đội Tỏi Lý Sơn")
        entry.validity = EntryValidity.unchecked
        make_user("quantri@example.vn", name="Quản Trị", admin=True)
        set_validity(entry, EntryValidity.invalid, "Thiếu chữ ký")  # audited with before/after
        make_judge(competition, make_user("gk@example.vn", name="Giám Khảo Một"))
        templates = certificates.ensure_templates(competition)
        issued = certificates.issue(
            templates[CertificateKind.participation],
            [
                certificates.Recipient(
                    entry.team.members[0].full_name,
                    entry.team.name,
                    entry.title,
                    "",
                    entry.id,
                    entry.team_id,
                    entry.team.members[0].id,
                )
            ],
            date(2026, 12, 6),
        )
        db.session.commit()
        return competition.slug, issued[0].token, entry.team.id, entry.team.leader.email


def _log_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda u: "/login" not in u)


def _no_bad_dates(page):
    text = page.locator("main").inner_text()
    assert not TWO_DIGIT_YEAR.search(text), TWO_DIGIT_YEAR.search(text)
    assert not ISO_DAY.search(text), ISO_DAY.search(text)


def test_words_and_dates_people_read(live_server, new_page):
    slug, token, team_id, leader_email = _seed(live_server.app)
    url = live_server.url

    public = new_page(DESKTOP)
    public.goto(f"{url}/verify/{token}")
    expect(public.locator("dd").filter(has_text="ngày 6 tháng 12 năm 2026")).to_have_count(1)
    assert "6 tháng 12, 2026" not in public.content()
    public.goto(f"{url}/c/{slug}")
    deadline = public.locator("dt:has-text('Hạn nộp hồ sơ') + dd")
    expect(deadline).to_have_text(re.compile(r"^\d{2}:\d{2} \d{2}/\d{2}/\d{4}$"))
    _no_bad_dates(public)

    leader = new_page(DESKTOP)
    _log_in(leader, url, leader_email)
    leader.goto(f"{url}/teams/{team_id}")
    members = leader.get_by_role("table", name="Thành viên")
    expect(members.locator("tbody tr").first.locator("td").nth(3)).to_have_text("Có")
    assert "Rồi" not in members.inner_text()

    judge = new_page(DESKTOP)
    _log_in(judge, url, "gk@example.vn")
    expect(judge.locator("header").get_by_role("link", name="Chấm điểm")).to_be_visible()
    assert "Đang chấm thi" not in judge.locator("header").inner_text()

    admin = new_page(DESKTOP)
    _log_in(admin, url, "quantri@example.vn")
    admin.goto(f"{url}/admin/audit")
    row = admin.locator("tr[data-action='entry.validity']")
    expect(row.get_by_role("cell", name="Kiểm tra hồ sơ (hợp lệ hay không)")).to_be_visible()
    expect(row.locator("td").nth(4)).to_have_text(re.compile(r"Kiểm tra: Chưa kiểm tra"))
    expect(row.locator("td").nth(5)).to_contain_text("Kiểm tra: Không hợp lệ")
    expect(row.locator("td").nth(5)).to_contain_text("Lý do: Thiếu chữ ký")
    table_text = admin.locator("main table").inner_text()
    assert "entry.validity" not in table_text and '{"' not in table_text and "team.created" not in table_text
    _no_bad_dates(admin)
    # The table's scroll container is reached with Tab and named for screen readers.
    region = admin.get_by_role("region", name="Nhật ký thay đổi (cuộn ngang)")
    for _ in range(60):
        admin.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    expect(region).to_be_focused()
    check_accessibility(admin)
