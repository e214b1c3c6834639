"""Backup round trip: back up, restore into an empty database, and the published
results, the certificates' verification and the audit log are the same."""

import io
import json
import re
import tarfile
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from contest.backup import _encode
from contest.models.base import Base, utcnow
from tests.conftest import make_app
from tests.judging.views.test_public_results import _published


def _all_rows(engine) -> dict:
    with engine.connect() as conn:
        return {
            t.name: [
                json.dumps(dict(r), default=_encode, sort_keys=True)
                for r in conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in Base.metadata.sorted_tables
        }


def _seed(app, db):
    from contest.domain import certificates
    from contest.models import CertificateKind, Entry, OrgUnit, OrgUnitSuccession

    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    # A unit succeeded by a later unit (merged in 2025): the link is restored after both units.
    old = OrgUnit(code="H-OLD", name="Huyện Cũ", kind="district", valid_to=date(2025, 6, 30))
    new = OrgUnit(code="X-NEW", name="Xã Mới", kind="commune")
    db.session.add_all([old, new])
    db.session.flush()
    db.session.add(OrgUnitSuccession(predecessor_id=old.id, successor_id=new.id, on=date(2025, 7, 1)))
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        entry = db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).first()
        member = entry.team.members[0]
        certificate = certificates.issue(
            templates[CertificateKind.participation],
            [
                certificates.Recipient(
                    member.full_name, entry.team.name, entry.title, "", entry.id, entry.team_id, member.id
                )
            ],
            date.today(),
        )[0]
    db.session.commit()
    return competition.slug, certificate.token


def _files() -> dict[str, bytes]:
    from contest.storage import get_storage

    return {key: get_storage().read(key) for key in get_storage().keys()}


def _pages(app, slug, token) -> tuple[bytes, bytes]:
    client = app.test_client()
    verification = re.sub(rb'name="csrf_token" value="[^"]+"', b"", client.get(f"/verify/{token}").data)
    return client.get(f"/c/{slug}/results").data, verification


@pytest.fixture
def stamped(app, db):
    """The shared test database is built from the models; mark it as migrated, as a real one is."""
    from flask_migrate import stamp

    stamp()
    yield
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def test_backup_then_restore_gives_the_same_contest(app, db, tmp_path, empty_database_url, stamped):
    from flask_migrate import upgrade

    slug, token = _seed(app, db)
    archive = tmp_path / "sao-luu.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    before_rows, before_pages, before_files = _all_rows(db.engine), _pages(app, slug, token), _files()
    assert before_rows["audit_events"] and before_rows["certificates"] and before_rows["publications"]

    target = make_app(empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads-restored"))
    with target.app_context():
        from contest.extensions import db as target_db

        upgrade()
        from contest import cache

        cache.get_or_set("kept-before-the-restore", lambda: "old", 60)
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert cache.get_or_set("kept-before-the-restore", lambda: "new", 60) == "new", "the cache outlived the restore"
        assert _all_rows(target_db.engine) == before_rows
        assert _pages(target, slug, token) == before_pages
        assert before_files and _files() == before_files
        # New rows after a restore get fresh ids (PostgreSQL sequences moved past the restored ones).
        from tests.factories import make_user

        assert make_user("sau-khi-khoi-phuc@example.vn").id > max(json.loads(r)["id"] for r in before_rows["users"])

        again = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "not empty" in again.output
        target_db.engine.dispose()


def test_a_damaged_archive_is_refused(app, db, tmp_path):
    archive = tmp_path / "sao-luu.tar.gz"
    assert app.test_cli_runner().invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    damaged = tmp_path / "hong.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for info in src:
            data = src.extractfile(info).read()
            if info.name == "tables/users.jsonl":
                data += b'{"id": 999}\n'
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    result = app.test_cli_runner().invoke(args=["restore", str(damaged)])
    assert result.exit_code != 0 and "checksum mismatch: tables/users.jsonl" in result.output


# -- what a backup leaves out, and who can read it ------------------------------------

LIVE_LINK = re.compile(r"/(?:password/reset|verify-email|invite)/([A-Za-z0-9_.-]+)")


def _seed_mail(app, db):
    """Besides the contest: a confirmation mail already sent, a password reset and
    a team invitation waiting, each with a link that still works."""
    from contest.domain.accounts import request_password_reset, sign_up
    from contest.domain.teams import invite
    from contest.models import OutboxMessage, OutboxStatus
    from tests.factories import make_competition, make_team, make_user

    with app.test_request_context():
        sign_up("moi-dang-ky@example.vn", "mat-khau-du-dai-123", "Người Mới")
        verify = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "moi-dang-ky@example.vn"))
        verify.status, verify.sent_at, verify.attempts = OutboxStatus.sent, utcnow(), 1
        make_user("quen-mat-khau@example.vn")
        db.session.commit()
        request_password_reset("quen-mat-khau@example.vn")
        team = make_team(make_competition("moi-mo-2026"), make_user("doi-truong-moi@example.vn"))
        invite(team, "ban-moi@example.vn", team.leader)
    db.session.commit()
    links = [m for body in db.session.scalars(select(OutboxMessage.body_text)) for m in LIVE_LINK.findall(body)]
    assert len(links) == 3
    return links


def _members(archive) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}


def test_a_backup_carries_no_link_that_opens_an_account(app, db, tmp_path, empty_database_url, stamped):
    from flask_migrate import upgrade

    from contest.backup import LEFT_OUT_NOTE

    slug, token = _seed(app, db)
    links = _seed_mail(app, db)
    archive = tmp_path / "sao-luu.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    members = _members(archive)
    assert not [link for link in links for data in members.values() if link.encode() in data]

    before = _all_rows(db.engine)
    expected = {name: [json.loads(r) for r in rows] for name, rows in before.items()}
    waiting_kept = 0
    for row in expected["outbox_messages"]:
        if row["status"] != "pending":
            row.update(body_text="", body_html=None)
        elif LIVE_LINK.search(row["body_text"]):
            row.update(body_text="", body_html=None, status="failed", last_error=LEFT_OUT_NOTE)
        else:
            waiting_kept += 1  # the results announcement: no link that opens anything, still to be sent
    assert waiting_kept and {r["status"] for r in expected["outbox_messages"]} == {"pending", "sent", "failed"}

    target = make_app(empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads-restored"))
    with target.app_context():
        from contest.extensions import db as target_db

        upgrade()
        from contest import cache

        cache.get_or_set("kept-before-the-restore", lambda: "old", 60)
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert cache.get_or_set("kept-before-the-restore", lambda: "new", 60) == "new", "the cache outlived the restore"
        restored = {name: [json.loads(r) for r in rows] for name, rows in _all_rows(target_db.engine).items()}
        assert restored == expected  # everything else exactly as it was
        assert _pages(target, slug, token) == _pages(app, slug, token)
        target_db.engine.dispose()


def test_signed_links_are_recognised_and_certificate_links_are_not(app):
    from contest.backup import carries_live_link
    from contest.domain.tokens import make_token

    with app.app_context():
        for purpose, payload in (
            ("verify", {"uid": 1, "s": "ab"}),
            ("reset", {"uid": 12, "s": "x" * 16}),
            ("team-invite", {"i": 3, "n": "0123abcd"}),
            ("judge-invite", {"j": 4, "u": 5}),
            ("long", {"text": "dài " * 200}),
        ):  # compressed payload, starting with "."
            assert carries_live_link(f"Mở liên kết: http://localhost/x/{make_token(purpose, payload)}\n")
    assert not carries_live_link("Xác minh: http://localhost/verify/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg\n")
    assert not carries_live_link("Kết quả: http://localhost/c/khoi-nghiep-2026/results — ban.to-chuc@so.gov.vn")


def test_the_archive_is_readable_by_its_owner_only_from_the_start(app, db, tmp_path, monkeypatch):
    import os
    import stat

    def no_chmod(*args, **kwargs):
        raise AssertionError("the archive must be created private, not made private afterwards")

    archive, leftover = tmp_path / "sao-luu.tar.gz", tmp_path / "sao-luu.tar.gz.part"
    archive.write_bytes(b"an older, world-readable archive")
    archive.chmod(0o644)
    leftover.write_bytes(b"left over by a failed run")
    leftover.chmod(0o666)
    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)
    monkeypatch.setenv("BACKUP_PASSPHRASE", "một cụm mật khẩu đủ dài")
    old_umask = os.umask(0)
    try:
        for args in (["backup", "--out", str(archive)], ["backup", "--out", str(archive) + ".age", "--encrypt"]):
            result = app.test_cli_runner().invoke(args=args)
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old_umask)
    for path in (archive, tmp_path / "sao-luu.tar.gz.age"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not leftover.exists()


def test_an_encrypted_backup_restores_with_its_passphrase_only(
    app, db, tmp_path, empty_database_url, stamped, monkeypatch
):
    from flask_migrate import upgrade

    from contest import agefile

    slug, token = _seed(app, db)
    archive = tmp_path / "sao-luu.tar.gz.age"
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    refused = app.test_cli_runner().invoke(args=["backup", "--out", str(archive), "--encrypt"])
    assert refused.exit_code != 0 and "BACKUP_PASSPHRASE" in refused.output and not archive.exists()
    monkeypatch.setenv("BACKUP_PASSPHRASE", "ngắn")
    refused = app.test_cli_runner().invoke(args=["backup", "--out", str(archive), "--encrypt"])
    assert refused.exit_code != 0 and "at least 12 characters" in refused.output and not archive.exists()

    monkeypatch.setenv("BACKUP_PASSPHRASE", "Cụm mật khẩu sao lưu 2026")
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(archive), "--encrypt"])
    assert result.exit_code == 0 and "encrypted" in result.output, result.output
    data = archive.read_bytes()
    assert data.startswith(agefile.MAGIC) and b"example.vn" not in data
    with pytest.raises(tarfile.TarError):
        tarfile.open(archive).close()
    before_rows, before_pages = _all_rows(db.engine), _pages(app, slug, token)

    target = make_app(empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads-restored"))
    with target.app_context():
        from contest.extensions import db as target_db

        upgrade()
        runner = target.test_cli_runner()
        monkeypatch.delenv("BACKUP_PASSPHRASE")
        missing = runner.invoke(args=["restore", str(archive)])
        assert missing.exit_code != 0 and "BACKUP_PASSPHRASE" in missing.output and "--key-file" in missing.output
        monkeypatch.setenv("BACKUP_PASSPHRASE", "một cụm mật khẩu khác hẳn")
        wrong = runner.invoke(args=["restore", str(archive)])
        assert wrong.exit_code != 0 and "wrong passphrase" in wrong.output, wrong.output
        assert all(rows == [] for rows in _all_rows(target_db.engine).values())  # nothing written
        monkeypatch.delenv("BACKUP_PASSPHRASE")
        key_file = tmp_path / "khoa-sao-luu"
        key_file.write_text("Cụm mật khẩu sao lưu 2026\n", encoding="utf-8")
        result = runner.invoke(args=["restore", str(archive), "--key-file", str(key_file)])
        assert result.exit_code == 0, result.output
        assert _all_rows(target_db.engine) == before_rows
        assert _pages(target, slug, token) == before_pages
        target_db.engine.dispose()
