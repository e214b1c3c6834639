"""The media award (giải báo chí, truyền thông về KNĐMST): entries are press works,
asked for their own fields (medium, outlet, publication date, link or file), not a
business plan; their own rubric preset."""

import io
from datetime import date

import pytest

from contest.domain.attachments import add_attachment
from contest.domain.entries import SubmissionRefused, get_or_create_entry, save_draft, submit
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
    from tests.factories import make_press_work

    return make_press_work(team)


def _assert_press_work_shown(page: str, *, authors: bool = True) -> None:
    for shown in (
        "Tên tác phẩm",
        "Khởi nghiệp từ làng nghề",
        "Loại hình báo chí",
        "Truyền hình",
        "Đài PT-TH Quảng Ngãi",
        "Ngày đăng hoặc phát sóng",
        "02/09/2026",
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


# -- the work's file: its size set by the organizer ---------------------------------

MB = 1024 * 1024


def mp4_bytes(size: int) -> bytes:
    """An ISO media file of `size` bytes: an ftyp box, then one mdat box to the end."""
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return ftyp + (size - len(ftyp)).to_bytes(4, "big") + b"mdat" + b"\x00" * (size - len(ftyp) - 8)


def mp3_bytes(size: int) -> bytes:
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10  # an ID3 tag of 10 bytes, then the frames
    return tag + b"\xff\xfb\x90\x64" + b"\x00" * (size - len(tag) - 4)


def test_recordings_are_read_by_their_content_and_a_cut_off_one_is_refused():
    from contest.domain.uploads import validate_upload

    assert validate_upload("phong-su.mp4", mp4_bytes(4096), "work").content_type == "video/mp4"
    assert validate_upload("ban-tin", mp3_bytes(4096), "work").safe_name == "ban-tin.mp3"
    assert validate_upload("phong-su.mp4", mp4_bytes(4096)[:3000], "work").error_code == "media_broken"
    assert validate_upload("x.mp3", b"ID3\x03\x00\x00\x00\x00\x7f\x7f" + b"\x00" * 40, "work").error_code == (
        "media_broken"
    )
    # Only a press work's file may be a recording.
    assert validate_upload("phong-su.mp4", mp4_bytes(4096), "description").error_code == "wrong_type"


def test_the_organizer_sets_the_work_files_size_within_a_sane_maximum(db, team):
    from contest.domain.competitions import update_settings
    from contest.domain.errors import DomainError
    from contest.domain.uploads import WORK_FILE_MAX_MB

    competition = team.competition
    assert competition.work_file_max_mb == 20
    update_settings(competition, work_file_max_mb=2)
    for wrong in (0, WORK_FILE_MAX_MB + 1):
        with pytest.raises(DomainError) as info:
            update_settings(competition, work_file_max_mb=wrong)
        assert info.value.field == "work_file_max_mb" and "100 MB" in info.value.message
    db.session.commit()
    entry = get_or_create_entry(team)
    with pytest.raises(Exception) as info:
        add_attachment(entry, AttachmentKind.description, "phong-su.mp4", mp4_bytes(3 * MB), team.leader)
    assert getattr(info.value, "code", None) == "too_large" and "2 MB" in str(info.value.message)
    video = add_attachment(entry, AttachmentKind.description, "phong-su.mp4", mp4_bytes(2 * MB - 100), team.leader)
    assert (video.content_type, video.kind) == ("video/mp4", AttachmentKind.description)
    # Pitch decks and images keep their own limits and types.
    with pytest.raises(Exception) as info:
        add_attachment(entry, AttachmentKind.image, "anh.mp4", mp4_bytes(4096), team.leader)
    assert getattr(info.value, "code", None) == "wrong_type"


def test_other_contests_take_no_recordings(db):
    other = make_team(make_competition("khoi-nghiep-2026"))
    entry = get_or_create_entry(other)
    with pytest.raises(Exception) as info:
        add_attachment(entry, AttachmentKind.description, "phong-su.mp4", mp4_bytes(4096), other.leader)
    assert getattr(info.value, "code", None) == "wrong_type"


def test_the_settings_page_asks_the_size_and_the_upload_form_gives_it_to_the_browser(client, db, team):
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from tests.factories import make_user

    competition = team.competition
    organizer = make_user()
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    competition.work_file_max_mb = 45
    db.session.commit()
    login(client, organizer)
    settings = client.get(f"/manage/{competition.slug}/settings").get_data(as_text=True)
    assert "Dung lượng tối đa của tệp tác phẩm báo chí" in settings and 'value="45"' in settings
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, team.leader)
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    assert f'data-max-bytes="{45 * MB}" data-max-mb="45" data-types="PDF, MP3, MP4" value="description"' in page
    assert f'data-max-bytes="{45 * MB}" data-max-mb="45" data-types="PDF, MP3, MP4" id="file"' in page
    assert "MP3 hoặc MP4 tối đa 45 MB" in page and "audio/mpeg" in page and "video/mp4" in page


def test_the_upload_takes_a_recording_above_the_usual_request_limit_only_in_the_media_award(client, db, team):
    from tests.factories import CountingBody, send_body

    team.competition.work_file_max_mb = 23
    db.session.commit()
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    video = mp4_bytes(22 * MB)  # above the 21 MB every other upload request may carry
    response = client.post(
        f"/teams/{team.id}/entry/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "kind": "description", "file": (io.BytesIO(video), "phong-su.mp4")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.size for a in team.entry.current_attachments(AttachmentKind.description)] == [len(video)]
    # Above the organizer's size (and its form): refused before a byte is read, the limit named.
    body = CountingBody(30 * MB, fill=b"a")
    response = send_body(client, "POST", f"/teams/{team.id}/entry/upload", body, "multipart/form-data; boundary=x")
    assert response.status_code == 413 and "24 MB" in response.get_data(as_text=True)
    assert body.read_bytes == 0
