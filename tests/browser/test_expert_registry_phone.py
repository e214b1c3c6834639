"""An officer opens the registry on a 390 px phone: the page never scrolls
sideways; the certifications' table (seven columns), the registry's list, a
mentoring's sessions and the account's devices scroll on their own, and a
keyboard scrolls them too (the wrapper takes the focus)."""

from __future__ import annotations

from datetime import date

from tests.browser.conftest import check_accessibility
from tests.browser.test_expert_panel import _log_in
from tests.factories import make_competition, make_user, make_valid_entry

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_registry_pages_fit_a_phone_and_their_tables_scroll_on_their_own(live_server, new_page):
    from contest.domain import experts
    from contest.extensions import db

    with live_server.app.app_context(), live_server.app.test_request_context():
        make_user("can-bo@example.vn", name="Cán Bộ Sở", admin=True)
        entry = make_valid_entry(make_competition("thi-dien-thoai", year=2026))
        expert = experts.create_expert(
            experts.ExpertInput(full_name="Huỳnh Thị Điện Thoại", organisation="Trung tâm Hỗ trợ khởi nghiệp"),
            by=None,
        )
        for programme, expires_on in (
            ("Chương trình đào tạo cố vấn khởi nghiệp đổi mới sáng tạo quốc gia", None),
            ("Huấn luyện viên khởi nghiệp", date(2027, 12, 31)),
        ):
            experts.add_certification(
                expert,
                experts.CertificationInput(
                    programme, "Bộ Khoa học và Công nghệ", "CV-2024-0001", date(2024, 5, 1), expires_on
                ),
                by=None,
            )
        mentorship = experts.assign_mentor(expert, entry.project, starts_on=date(2026, 1, 5), by=None)
        experts.log_session(mentorship, held_on=date(2026, 2, 1), topic="Gọi vốn", hours="2", by=None)
        db.session.commit()
        expert_id, mentorship_id = expert.id, mentorship.id
    url = live_server.url

    page = new_page(PHONE_390)
    _log_in(page, url, "can-bo@example.vn")
    for path, region in (
        (f"/registry/{expert_id}", "Chứng nhận (cuộn ngang)"),
        ("/registry/", "Chuyên gia (cuộn ngang)"),
        (f"/mentorships/{mentorship_id}", "Các buổi tư vấn (cuộn ngang)"),
        ("/account/", "Các thiết bị đang đăng nhập (cuộn ngang)"),
    ):
        page.goto(url + path)
        assert _page_width(page) <= 390, f"{path} is {_page_width(page)} px wide on a 390 px phone"
        wrapper = page.get_by_role("region", name=region)
        assert wrapper.get_attribute("tabindex") == "0", path
        assert wrapper.locator("table").count() == 1, path

    page.goto(f"{url}/registry/{expert_id}")
    wrapper = page.get_by_role("region", name="Chứng nhận (cuộn ngang)")
    assert wrapper.evaluate("e => e.scrollWidth > e.clientWidth")  # wider than the phone: it scrolls
    wrapper.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    assert _page_width(page) <= 390
    check_accessibility(page)
