"""An organizer builds a 2026 panel from the registry of experts: searches by
field, invites two experts of the registry and a new person by e-mail; the new
person accepts, joins the registry, and their judging history lists the new contest."""

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import check_accessibility
from tests.conftest import first_link
from tests.factories import PASSWORD, make_competition, make_user

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _log_in(page, base_url, email):
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Đội của tôi").first.wait_for()


def _wait_for_mail(smtp_server, address):
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        messages = smtp_server.to(address)
        if messages:
            return messages[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def test_an_organizer_builds_a_panel_from_the_registry(live_server, smtp_server, new_page):
    from contest.domain import experts
    from contest.domain.competitions import grant_role
    from contest.extensions import db
    from contest.models import CompetitionRoleKind, Expert, ExpertRole
    from judging.models import Judge

    with live_server.app.app_context(), live_server.app.test_request_context():
        competition = make_competition("khoi-nghiep-2026-hoi-dong", year=2026)
        competition.fields.clear()
        from contest.models import Field

        competition.fields.extend([Field(name="Nông nghiệp", position=0), Field(name="Du lịch", position=1)])
        organizer = make_user("btc@example.vn", name="Ban Tổ Chức")
        grant_role(competition, organizer.email, CompetitionRoleKind.organizer, make_user("goc@example.vn", admin=True))
        for name, email, field in (
            ("Nguyễn Nông Một", "nong.mot@example.vn", "Nông nghiệp"),
            ("Trần Nông Hai", "nong.hai@example.vn", "Nông nghiệp"),
            ("Lê Du Lịch", "du.lich@example.vn", "Du lịch"),
        ):
            experts.create_expert(
                experts.ExpertInput(full_name=name, email=email, fields=(field,), roles=(ExpertRole.judge,)), by=None
            )
        db.session.commit()
        slug = competition.slug
        competition_name = competition.name
    url = live_server.url

    page = new_page(DESKTOP)
    _log_in(page, url, "btc@example.vn")
    page.goto(f"{url}/manage/{slug}/judging/")
    page.get_by_role("link", name="Giám khảo từ mạng lưới chuyên gia").click()
    page.get_by_role("heading", name="Lập hội đồng giám khảo từ mạng lưới chuyên gia").wait_for()
    page.get_by_label("Lĩnh vực chuyên môn").select_option("Nông nghiệp")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("cell", name="Nguyễn Nông Một", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Lê Du Lịch", exact=True)).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name="Mời Nguyễn Nông Một").click()
    expect(page.get_by_text("Đã mời Nguyễn Nông Một.")).to_be_visible()
    page.get_by_role("button", name="Mời Trần Nông Hai").click()
    expect(page.get_by_text("Đã mời Trần Nông Hai.")).to_be_visible()
    expect(page.get_by_role("button", name="Mời Nguyễn Nông Một")).to_have_count(0)

    # A third, new person by e-mail on the judges' page.
    page.get_by_role("link", name="Giám khảo và xung đột lợi ích").first.click()
    page.get_by_label("E-mail").fill("nguoi.moi@example.vn")
    page.get_by_label("Họ và tên").fill("Phạm Người Mới")
    page.get_by_label("Cơ quan, đơn vị").fill("Trường ĐH Phạm Văn Đồng")
    page.get_by_role("button", name="Gửi lời mời").click()
    expect(page.get_by_role("cell", name="Phạm Người Mới", exact=True)).to_be_visible()

    with live_server.app.app_context():
        assert db.session.scalar(select(Expert.id).where(Expert.full_name == "Phạm Người Mới")) is None
        assert len(list(db.session.scalars(select(Judge).where(Judge.expert_id.is_not(None))))) == 2

    # The new person accepts from the mail and joins the registry.
    link = first_link(_wait_for_mail(smtp_server, "nguoi.moi@example.vn"), "/judge/invite/")
    judge_page = new_page(DESKTOP)
    judge_page.goto(link)
    judge_page.get_by_label("Chọn mật khẩu").fill("mat-khau-rat-dai-2026")
    judge_page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-rat-dai-2026")
    judge_page.get_by_role("button", name="Nhận lời mời").click()
    judge_page.get_by_role("link", name="Hồ sơ chuyên gia của tôi").click()
    judge_page.get_by_role("heading", name="Hồ sơ chuyên gia của tôi").wait_for()
    expect(judge_page.get_by_role("textbox", name="Cơ quan, đơn vị")).to_have_value("Trường ĐH Phạm Văn Đồng")
    judge_page.get_by_role("link", name="Lịch sử chấm thi").click()
    judge_page.get_by_role("heading", name="Lịch sử chấm thi của Phạm Người Mới").wait_for()
    expect(judge_page.get_by_role("cell", name=competition_name, exact=True)).to_be_visible()
    expect(judge_page.get_by_role("cell", name="2026", exact=True)).to_be_visible()
    check_accessibility(judge_page)

    with live_server.app.app_context():
        joined = db.session.scalar(select(Expert).where(Expert.full_name == "Phạm Người Mới"))
        assert joined is not None and joined.role_values == ["judge"] and not joined.consent_public
        judges = list(db.session.scalars(select(Judge).where(Judge.competition_id == competition.id)))
        assert len(judges) == 3 and all(j.expert_id is not None for j in judges)
