"""An officer keeps the registry on a tablet: roles are checkboxes big enough to
tap, a certification entered by mistake is removed with its reason, and the
expert ends a conflict that no longer applies."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import check_accessibility
from tests.browser.test_expert_panel import _log_in
from tests.factories import make_user

TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True}


def test_an_officer_ticks_roles_and_removes_a_mistaken_certification_on_a_tablet(live_server, new_page):
    from contest.domain import experts
    from contest.extensions import db
    from contest.models import Certification, ConflictKind, DeclaredConflict, Expert

    with live_server.app.app_context(), live_server.app.test_request_context():
        make_user("can-bo@example.vn", name="Cán Bộ Sở", admin=True)
        person = make_user("chuyen-gia@example.vn", name="Phan Văn Khai")
        expert = experts.create_expert(experts.ExpertInput(full_name="Phan Văn Khai"), by=None, user=person)
        experts.declare_conflict(expert, ConflictKind.company, "Công ty Người Nhà", on=date(2025, 3, 1))
        db.session.commit()
    url = live_server.url

    page = new_page(TABLET)
    _log_in(page, url, "can-bo@example.vn")
    page.goto(f"{url}/registry/new")
    page.get_by_label("Họ và tên").fill("Trương Thị Mới")
    for role in ("Cố vấn (mentor)", "Nhà tư vấn"):
        box = page.get_by_role("checkbox", name=role)
        height = page.locator("label.check", has=box).bounding_box()["height"]
        assert height >= 44, f"{role}: a {height}px target is too small to tap"
        box.tap()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trương Thị Mới")
    expect(page.get_by_role("checkbox", name="Nhà tư vấn")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Giám khảo")).not_to_be_checked()
    expect(page.get_by_text("Chưa ghi nhận chứng nhận nào.")).to_be_visible()

    form = page.locator("form[action$='/certifications']")
    form.get_by_label("Chương trình hoặc khóa đào tạo").fill("Cố vấn khởi nghiệp ĐMST")
    form.get_by_label("Cơ quan cấp").fill("Bộ Khoa học và Công nghệ")
    form.get_by_label("Ngày cấp").fill("2024-05-01")
    form.get_by_role("button", name="Ghi nhận").click()
    row = page.get_by_role("row", name="Cố vấn khởi nghiệp ĐMST")
    expect(row).to_contain_text("01/05/2024 – không thời hạn")
    row.get_by_role("button", name="Xóa").click()  # no reason: the browser asks for one
    with live_server.app.app_context():
        assert db.session.scalar(select(Certification.id)) is not None
    row.get_by_label("Lý do gỡ bỏ chứng nhận Cố vấn khởi nghiệp ĐMST").fill("Nhập nhầm người")
    row.get_by_role("button", name="Xóa").click()
    expect(page.get_by_text("Đã gỡ bỏ chứng nhận; chứng nhận này không còn được tính.")).to_be_visible()
    expect(page.get_by_text("Chưa ghi nhận chứng nhận nào.")).to_be_visible()
    check_accessibility(page)
    with live_server.app.app_context():
        assert db.session.scalar(select(Certification.id)) is None
        new_id = db.session.scalar(select(Expert.id).where(Expert.full_name == "Trương Thị Mới"))
    assert new_id

    own = new_page(TABLET)
    _log_in(own, url, "chuyen-gia@example.vn")
    own.goto(f"{url}/experts/me")
    own.get_by_role("button", name="Kết thúc xung đột lợi ích với Công ty Người Nhà").tap()
    expect(own.get_by_text("không còn được đề xuất")).to_be_visible()
    check_accessibility(own)
    with live_server.app.app_context():
        assert db.session.scalar(select(DeclaredConflict.ended_on)) is not None
