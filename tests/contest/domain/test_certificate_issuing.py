"""Issuing certificates: serials and tokens, the verification page, revoking
and reissuing, batches with merged PDF and ZIP, the team's own download."""

import io
import subprocess
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contest.domain import certificates
from contest.domain.errors import DomainError
from contest.models import AuditEvent, BatchStatus, CertificateKind
from tests.factories import login, make_competition, make_valid_entry


@pytest.fixture
def issued(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition, name="Đội <b>Tỏi</b> & Lý Sơn")
    entry.team.members[0].full_name = "Nguyễn Thị Hồng Nhung"
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        done = certificates.issue(
            templates[CertificateKind.award],
            [
                certificates.Recipient(
                    "Nguyễn Thị Hồng Nhung",
                    entry.team.name,
                    entry.title,
                    "Giải Nhất",
                    entry.id,
                    entry.team_id,
                    entry.team.members[0].id,
                )
            ],
            date(2026, 12, 20),
        )
    db.session.commit()
    return competition, entry, done[0]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_certificate_text_serial_and_token(app, issued):
    competition, entry, certificate = issued
    assert certificate.serial == f"{competition.code_prefix}-000001"
    assert len(certificate.token) >= 40
    with app.test_request_context():
        pdf = certificates.render(certificate)
    text = _text(pdf)
    for expected in (
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Thị Hồng Nhung",
        "Giải Nhất",
        "Đội <b>Tỏi</b> & Lý Sơn",
        "ngày 20 tháng 12 năm 2026",
    ):
        assert expected in text


def test_qr_code_links_to_the_verification_page(app, issued, tmp_path):
    _, _, certificate = issued
    with app.test_request_context():
        pdf = certificates.render(certificate)
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")], check=True
    )
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "c.png")], capture_output=True, text=True)
    assert decoded.stdout.strip().endswith(f"/verify/{certificate.token}")


def test_verify_valid_revoked_and_made_up(client, app, db, issued):
    _, _, certificate = issued
    page = client.get(f"/verify/{certificate.token}")
    assert page.status_code == 200 and 'data-verify="valid"' in page.get_data(as_text=True)
    assert "Nguyễn Thị Hồng Nhung" in page.get_data(as_text=True)
    with pytest.raises(DomainError):
        certificates.revoke(certificate, "")
    with app.test_request_context():
        copy = certificates.reissue(certificate, "Sai chính tả tên", person_name="Nguyễn Thị Hồng Nhung (sửa)")
    db.session.commit()
    page = client.get(f"/verify/{certificate.token}").get_data(as_text=True)
    assert 'data-verify="revoked"' in page and "Sai chính tả tên" in page
    assert 'data-verify="valid"' in client.get(f"/verify/{copy.token}").get_data(as_text=True)
    made_up = client.get("/verify/" + "A" * 43)
    assert made_up.status_code == 404 and 'data-verify="unknown"' in made_up.get_data(as_text=True)
    # The serial is printed on the paper; it is not a key to the verification page.
    assert client.get(f"/verify/{certificate.serial}").status_code == 404
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert {"certificate.issued", "certificate.revoked", "certificate.reissued"} <= set(actions)


def test_batch_writes_merged_pdf_and_zip(app, db, issued):
    competition, entry, _ = issued
    app.config["CERTIFICATE_BATCH_IN_THREAD"] = False
    with app.test_request_context():
        batch = certificates.start_batch(competition, date(2026, 12, 20), None)
        batch = certificates.run_batch(batch.id)
    assert batch.status is BatchStatus.done and batch.done == batch.total >= 2
    from contest.storage import get_storage

    merged = get_storage().read(batch.merged_key)
    assert len(PdfReader(io.BytesIO(merged)).pages) == batch.total
    names = zipfile.ZipFile(io.BytesIO(get_storage().read(batch.zip_key))).namelist()
    assert len(names) == batch.total and all(n.endswith(".pdf") and n.isascii() for n in names)
    # Generating again issues nothing twice.
    with app.test_request_context():
        again = certificates.start_batch(competition, date(2026, 12, 20), None)
    assert again.total == batch.total


def test_team_downloads_its_own_certificate(client, app, db, issued):
    _, entry, certificate = issued
    login(client, entry.team.leader)
    response = client.get(f"/teams/{entry.team_id}/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert certificate.serial in client.get(f"/teams/{entry.team_id}").get_data(as_text=True)


def test_certificates_are_mailed_with_the_pdf_attached(app, db, issued, mail_app, smtp_server):
    from contest.domain.outbox import send_due

    competition, entry, certificate = issued
    entry.team.members[0].email = entry.team.leader.email
    with app.test_request_context():
        assert certificates.mail_certificates(competition).queued == 1
    db.session.commit()
    send_due()
    messages = smtp_server.wait_for(2)
    message = next(m for m in messages if certificate.serial in m.get_body(("plain",)).get_content())
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_filename() == certificates.file_name(certificate)
    assert attachment.get_content().startswith(b"%PDF")


def _mails_to(db, address) -> int:
    from contest.models import OutboxMessage

    return len(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == address)).all())


def test_certificates_mailed_twice_are_queued_once_and_a_reissued_copy_is_mailed(app, db, issued):
    competition, entry, certificate = issued
    address = entry.team.members[0].email = "nhung@example.vn"
    with app.test_request_context():
        first = certificates.mail_certificates(competition)
        second = certificates.mail_certificates(competition)
    db.session.commit()
    assert (first.queued, first.already) == (1, 0)
    assert (second.queued, second.already) == (0, 1)
    assert _mails_to(db, address) == 1
    mailed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.mailed").order_by(AuditEvent.id)
    ).all()
    assert [e.after for e in mailed] == [{"mails": 1, "serials": [certificate.serial]}, {"mails": 0, "serials": []}]

    # A corrected name is a new certificate: the next mailing sends it, the revoked one is not counted.
    with app.test_request_context():
        copy = certificates.reissue(certificate, "Sai chính tả", person_name="Nguyễn Thị Hồng Nhụng")
        again = certificates.mail_certificates(competition)
    db.session.commit()
    assert (again.queued, again.already) == (1, 0)
    assert _mails_to(db, address) == 2
    assert copy.serial in certificates.mailed_serials(competition.id)


def test_the_mail_button_is_sent_once_and_a_second_press_says_what_was_already_sent(client, app, db, issued):
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from tests.factories import csrf_token, make_user

    competition, entry, _certificate = issued
    address = entry.team.members[0].email = "nhung@example.vn"
    organizer = make_user()
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    login(client, organizer)
    path = f"/manage/{competition.slug}/certificates"
    page = client.get(path).get_data(as_text=True)
    assert '<form method="post" data-submit-once>' in page and "/static/js/submit-once.js" in page
    token = csrf_token(client, path)

    def press():
        data = {"csrf_token": token, "action": "mail"}
        return client.post(path, data=data, follow_redirects=True).get_data(as_text=True)

    first, second = press(), press()
    assert "Đang gửi 1 giấy chứng nhận qua e-mail." in first and "không gửi lại" not in first
    assert "Đang gửi 0 giấy chứng nhận qua e-mail. 1 giấy chứng nhận đã được gửi trước đó nên không gửi lại." in second
    assert _mails_to(db, address) == 1


def test_template_pictures_are_checked_and_used(client, app, db, issued):
    import io as _io

    from PIL import Image

    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from tests.factories import csrf_token, make_user

    competition, _entry, certificate = issued
    organizer = make_user()
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    login(client, organizer)
    path = f"/manage/{competition.slug}/certificates/templates/{certificate.template_id}"
    token = csrf_token(client, path)
    buffer = _io.BytesIO()
    Image.new("RGB", (120, 120), (180, 20, 20)).save(buffer, "PNG")
    fields = {
        "csrf_token": token,
        "name": "Giấy chứng nhận",
        "kind_title": "GIẤY CHỨNG NHẬN",
        "wording": "{person}",
        "issuer_lines": "UBND",
        "motto_lines": "CỘNG HÒA",
        "place": "Quảng Ngãi",
        "signer_title_lines": "CHỦ TỊCH",
        "signer_name": "",
        "border_style": "double",
        "orientation": "landscape",
    }
    refused = client.post(
        path,
        data={**fields, "seal_key": (_io.BytesIO(b"MZ" + b"\0" * 50), "seal.png")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    db.session.refresh(certificate.template)
    assert certificate.template.seal_key is None
    saved = client.post(
        path,
        data={**fields, "seal_key": (_io.BytesIO(buffer.getvalue()), "seal.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    db.session.refresh(certificate.template)
    assert certificate.template.seal_key is not None
    assert client.get(
        f"/manage/{competition.slug}/certificates/templates/{certificate.template_id}/preview.pdf"
    ).data.startswith(b"%PDF")


def test_a_batch_whose_worker_died_is_marked_failed(app, db):
    from datetime import timedelta

    from contest.domain import certificates
    from contest.models import BatchStatus, CertificateBatch
    from contest.models.base import utcnow
    from tests.factories import make_competition

    competition = make_competition("lo-chung-nhan-2026")
    now = utcnow()
    dead = CertificateBatch(
        competition_id=competition.id,
        status=BatchStatus.running,
        total=40,
        done=20,
        created_at=now - timedelta(minutes=30),
        heartbeat_at=now - timedelta(minutes=10),
    )
    alive = CertificateBatch(
        competition_id=competition.id,
        status=BatchStatus.running,
        total=40,
        done=20,
        created_at=now - timedelta(minutes=30),
        heartbeat_at=now - timedelta(seconds=5),
    )
    never_started = CertificateBatch(
        competition_id=competition.id,
        status=BatchStatus.queued,
        total=40,
        done=0,
        created_at=now - timedelta(minutes=10),
    )
    db.session.add_all([dead, alive, never_started])
    db.session.commit()
    with app.test_request_context():
        assert certificates.reap_abandoned(competition.id, now) == 2
    db.session.commit()
    assert (dead.status, alive.status, never_started.status) == (
        BatchStatus.failed,
        BatchStatus.running,
        BatchStatus.failed,
    )
    assert "again" in dead.error or "lại" in dead.error
