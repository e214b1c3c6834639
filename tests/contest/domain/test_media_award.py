"""The media award (giải báo chí, truyền thông về KNĐMST): entries are press works,
asked for their own fields (medium, outlet, publication date, link or file), not a
business plan; their own rubric preset."""

from datetime import date

import pytest

from contest.domain.entries import SubmissionRefused, add_attachment, get_or_create_entry, save_draft, submit
from contest.models import AttachmentKind, EntryStatus, MediaType
from tests.factories import csrf_token, login, make_competition, make_team, pdf_bytes


@pytest.fixture
def team(db):
    return make_team(make_competition("giai-bao-chi-2026", preset="media_award"), members=1)


def test_the_entry_form_asks_for_press_work_fields_not_business_plan_fields(client, db, team):
    login(client, team.leader)
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    for asked in (
        "Tên tác phẩm",
        "Loại hình báo chí",
        "Cơ quan báo chí đăng, phát",
        "Ngày đăng hoặc phát sóng",
        "Đường dẫn đến tác phẩm đã đăng",
        "Tác phẩm đã đăng, phát (bài báo dạng PDF",
    ):
        assert asked in page, asked
    for business in (
        "Mô hình kinh doanh",
        "Vấn đề",
        "Khách hàng và thị trường",
        "Nhu cầu vốn",
        "Giai đoạn phát triển",
        "Bài thuyết trình (pitch deck",
    ):
        assert business not in page, business
    token = csrf_token(client, f"/teams/{team.id}/entry")
    client.post(
        f"/teams/{team.id}/entry/autosave",
        json={
            "media_type": "television",
            "outlet": "Đài PT-TH Quảng Ngãi",
            "published_on": "2026-10-20",
            "work_url": "https://ptqngai.vn/phong-su-khoi-nghiep",
        },
        headers={"X-CSRFToken": token},
    )
    db.session.expire_all()
    entry = team.entry
    assert (entry.media_type, entry.outlet, entry.published_on) == (
        MediaType.television,
        "Đài PT-TH Quảng Ngãi",
        date(2026, 10, 20),
    )
    refused = client.post(
        f"/teams/{team.id}/entry/autosave", json={"media_type": "billboard"}, headers={"X-CSRFToken": token}
    )
    db.session.expire_all()
    assert refused.get_json()["errors"] and team.entry.media_type is MediaType.television


def test_a_press_work_is_submitted_without_a_business_plan_and_gaps_are_named(db, team):
    competition = team.competition
    entry = get_or_create_entry(team)
    save_draft(
        entry,
        {"board": competition.boards[0].id, "field": competition.fields[0].id, "title": "Khởi nghiệp từ làng nghề"},
    )
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    gaps = " ".join(info.value.problems)
    for expected in ("Tóm tắt", "Cơ quan báo chí", "loại hình báo chí", "ngày đăng", "đường dẫn"):
        assert expected.lower() in gaps.lower(), expected
    assert "Mô hình kinh doanh" not in gaps and "thuyết trình" not in gaps
    save_draft(
        entry,
        {
            "summary": "Phóng sự về thanh niên khởi nghiệp",
            "media_type": "print",
            "outlet": "Báo Quảng Ngãi",
            "published_on": date(2026, 9, 2),
        },
    )
    add_attachment(entry, AttachmentKind.description, "bai-bao.pdf", pdf_bytes("Bai bao"), team.leader)
    submit(entry, team.leader)
    assert entry.status is EntryStatus.submitted
    assert entry.versions[-1].data["outlet"] == "Báo Quảng Ngãi" and entry.versions[-1].data["media_type"] == "print"


def test_the_media_award_has_its_own_rubric_preset(db, team):
    from judging.domain.rubrics import create_from_preset

    rubric = create_from_preset(team.competition_id, "media_award_100", "Thang điểm giải báo chí")
    assert sum(c.max_points for c in rubric.criteria) == 100
    assert any("thời sự" in c.name for c in rubric.criteria)


def _submitted_press_work(db, team):
    from contest.models import EntryValidity

    competition = team.competition
    entry = get_or_create_entry(team)
    save_draft(
        entry,
        {
            "board": competition.boards[0].id,
            "field": competition.fields[0].id,
            "title": "Khởi nghiệp từ làng nghề",
            "summary": "Phóng sự về thanh niên khởi nghiệp",
            "media_type": "television",
            "outlet": "Đài PT-TH Quảng Ngãi",
            "published_on": date(2026, 9, 2),
            "work_url": "https://ptqngai.vn/phong-su-khoi-nghiep",
        },
    )
    add_attachment(entry, AttachmentKind.description, "phong-su.pdf", pdf_bytes("Phong su"), team.leader)
    submit(entry, team.leader)
    entry.validity = EntryValidity.valid
    db.session.commit()
    return entry


def _assert_press_work_shown(page: str, *, authors: bool = True) -> None:
    for shown in (
        "Tên tác phẩm",
        "Khởi nghiệp từ làng nghề",
        "Loại hình báo chí",
        "Truyền hình",
        "Đài PT-TH Quảng Ngãi",
        "Ngày đăng hoặc phát sóng",
        "2 tháng 9, 2026",
        'href="https://ptqngai.vn/phong-su-khoi-nghiep"',
        "phong-su.pdf",
    ):
        assert shown in page, shown
    assert ("Tác giả" in page and "Thành viên 1" in page) is authors
    for business in ("Tên dự án", "Mô hình kinh doanh", "Khách hàng và thị trường", "Nhu cầu vốn"):
        assert business not in page, business


def test_a_submitted_press_work_reads_as_a_press_work_for_the_team_and_the_secretariat(client, db, team):
    from datetime import timedelta

    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from contest.models.base import utcnow
    from tests.factories import make_user

    entry = _submitted_press_work(db, team)
    competition = team.competition
    competition.submission_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, team.leader)
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    _assert_press_work_shown(page)
    file = entry.current_attachments(AttachmentKind.description)[0]
    assert f"/attachments/{file.id}" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    secretary = make_user()
    grant_role(competition, secretary.email, CompetitionRoleKind.secretariat, granted_by=make_user(admin=True))
    db.session.commit()
    login(client, secretary)
    _assert_press_work_shown(client.get(f"/manage/{competition.slug}/entries/{entry.id}").get_data(as_text=True))


@pytest.mark.parametrize("blind", [False, True])
def test_the_judges_sheet_page_shows_the_press_work_and_hides_its_authors_when_blind(client, db, team, blind):
    from tests.factories import make_judge, make_round

    entry = _submitted_press_work(db, team)
    judge = make_judge(team.competition)
    round_ = make_round(team.competition, [entry], [judge], preset="media_award_100", blind=blind)
    login(client, judge.user)
    page = client.get(f"/judge/rounds/{round_.id}/entries/{entry.id}").get_data(as_text=True)
    _assert_press_work_shown(page, authors=not blind)
    file = entry.current_attachments(AttachmentKind.description)[0]
    assert f"/judge/rounds/{round_.id}/entries/{entry.id}/documents/{file.id}" in page
