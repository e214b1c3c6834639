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
        return {t.name: [json.dumps(dict(r), default=_encode, sort_keys=True)
                         for r in conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()]
                for t in Base.metadata.sorted_tables}


def _seed(app, db):
    from contest.domain import certificates
    from contest.models import CertificateKind, Entry, OrgUnit

    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    # A unit that points at a later unit (merged in 2025): restored in two steps.
    old = OrgUnit(code="H-OLD", name="Huyện Cũ", kind="district", valid_to=date(2025, 6, 30))
    new = OrgUnit(code="X-NEW", name="Xã Mới", kind="commune")
    db.session.add_all([old, new])
    db.session.flush()
    old.successor_id = new.id
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        entry = db.session.scalars(select(Entry).where(Entry.competition_id == competition.id)).first()
        member = entry.team.members[0]
        certificate = certificates.issue(templates[CertificateKind.participation], [certificates.Recipient(
            member.full_name, entry.team.name, entry.title, "", entry.id, entry.team_id, member.id)], date.today())[0]
    db.session.commit()
    return competition.slug, certificate.token


def _files() -> dict[str, bytes]:
    from contest.storage import get_storage

    return {key: get_storage().read(key) for key in get_storage().keys()}


def _pages(app, slug, token) -> tuple[bytes, bytes]:
    from judging.domain import publication
    from judging.views import results as results_views

    publication.forget_cached(slug)
    results_views._rendered.clear()     # the other app's bytes must not answer for this one
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
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
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
