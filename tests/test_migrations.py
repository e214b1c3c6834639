"""Migrations build the schema from nothing and match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import make_app


def test_upgrade_from_empty_then_no_difference_with_the_models(empty_database_url):
    from flask_migrate import downgrade, upgrade

    from contest.extensions import db
    from contest.models.base import Base

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_outcomes_a_team_member_recorded_before_by_team_existed_become_the_teams(empty_database_url, tmp_path):
    """3a7c1e9b2f40 adds `project_outcomes.by_team`: records already there are
    the team's when a member of the entry's team (holding no role in the
    competition) wrote them; the organizers' otherwise."""
    from datetime import date

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from contest.domain import followup
    from contest.domain.competitions import grant_role
    from contest.extensions import db
    from contest.models import CompetitionRoleKind, OutcomeKind
    from tests.factories import make_competition, make_user, make_valid_entry

    app = make_app(empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context(), app.test_request_context():
        upgrade()
        competition = make_competition("backfill-2026")
        entry = make_valid_entry(competition)
        organizer = make_user("btc-backfill@example.vn")
        grant_role(
            competition,
            organizer.email,
            CompetitionRoleKind.organizer,
            make_user("root-backfill@example.vn", admin=True),
        )
        by_member = followup.record_outcome(
            entry,
            followup.OutcomeInput(OutcomeKind.jobs_created, date(2025, 6, 1), "Báo cáo của đội", jobs=2),
            entry.team.leader,
            by_team=True,
        )
        by_organizer = followup.record_outcome(
            entry, followup.OutcomeInput(OutcomeKind.jobs_created, date(2025, 6, 2), "Gọi điện", jobs=3), organizer
        )
        ids = (by_member.id, by_organizer.id)
        db.session.commit()
        db.session.remove()
        downgrade(revision="d52fba581c39")
        upgrade()
        with db.engine.connect() as conn:
            flags = dict(conn.execute(text("SELECT id, by_team FROM project_outcomes")).tuples().all())
        assert {k: bool(v) for k, v in flags.items()} == {ids[0]: True, ids[1]: False}
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def second_empty_database_url(tmp_path):
    """Another empty database, for restoring into."""
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    name = f"empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BEFORE_PROJECTS = "ac343218c832"
KEPT = (
    "entries",
    "attachments",
    "entry_versions",
    "scores",
    "score_sheets",
    "teams",
    "members",
    "awards",
    "round_entries",
    "project_outcomes",
    "certificates",
)


# Columns that revisions after the projects' add to the kept tables: not there before.
ADDED_LATER = (
    "project_id",
    "is_doan_member",
    "women_own_majority",
    "woman_manages",
    "media_type",
    "outlet",
    "published_on",
    "work_url",
)


def _rows(engine, tables=KEPT, drop=ADDED_LATER) -> dict:
    import json

    from sqlalchemy import MetaData, select

    meta = MetaData()
    meta.reflect(bind=engine, only=[t for t in tables if t in set(engine.dialect.get_table_names(engine.connect()))])
    with engine.connect() as conn:
        return {
            name: sorted(
                json.dumps({k: v for k, v in dict(r).items() if k not in drop}, default=str, sort_keys=True)
                for r in conn.execute(select(table)).mappings()
            )
            for name, table in meta.tables.items()
            if name in tables
        }


def test_the_demo_becomes_projects_through_a_backup_without_losing_an_entry_file_or_score(
    empty_database_url, second_empty_database_url, tmp_path, monkeypatch
):
    """The demo (with its commune → province nomination), taken back to the revision
    before projects, backed up there, restored into an empty database at that
    revision, then upgraded: every entry, file and score is as it was, every entry
    has a project, and an entry nominated up shares its origin's project."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from contest.demo import load_demo
    from contest.domain import nominations
    from contest.extensions import db
    from contest.storage import get_storage

    # The demo's provincial contest takes entries until 20/12/2026; past that day the
    # demo leaves its nomination undecided. This test needs it accepted, as the demo
    # loaded during the season does, whatever today's date.
    monkeypatch.setattr(nominations, "entries_closed_reason", lambda competition, now=None: None)
    archive = tmp_path / "truoc-nang-cap.tar.gz"
    source = make_app(empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads-a"))
    with source.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE_PROJECTS)
        before = _rows(db.engine)
        with db.engine.connect() as conn:
            links = conn.execute(
                text("SELECT id, origin_entry_id FROM entries WHERE origin_entry_id IS NOT NULL")
            ).all()
        files = {key: get_storage().read(key) for key in get_storage().keys()}
        result = source.test_cli_runner().invoke(args=["backup", "--out", str(archive)])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    assert links, "the demo's accepted nomination is an entry linked to its origin"
    assert all(before[t] for t in ("entries", "attachments", "scores", "entry_versions"))

    target = make_app(second_empty_database_url, UPLOAD_FOLDER=str(tmp_path / "uploads-b"))
    with target.app_context():
        upgrade(revision=BEFORE_PROJECTS)
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        upgrade()
        assert _rows(db.engine) == before
        assert {key: get_storage().read(key) for key in get_storage().keys()} == files
        with db.engine.connect() as conn:
            projects = dict(conn.execute(text("SELECT id, project_id FROM entries")).tuples().all())
            accepted = conn.execute(text("SELECT source_entry_id, accepted_entry_id, state FROM nominations")).all()
            project_count = conn.execute(text("SELECT COUNT(*) FROM projects")).scalar()
        assert all(projects.values())
        assert all(projects[copy] == projects[origin] for copy, origin in links)
        assert project_count == len(projects) - len(links)
        assert sorted((s, a, st) for s, a, st in accepted) == sorted((o, c, "accepted") for c, o in links)
        db.session.remove()
        db.engine.dispose()


def test_the_old_province_left_open_is_ended_by_the_migration(empty_database_url):
    """c4e8a1d7f250: a database whose QNG was imported with no end date gets
    2025-06-30 and the link to QNG-51; running it again changes nothing."""
    from datetime import UTC, date, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from contest.extensions import db

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM org_unit_successions"))
            conn.execute(
                text(
                    "INSERT INTO org_units (code, name, kind, valid_from, valid_to, created_at, updated_at) VALUES "
                    "('QNG', 'Tỉnh Quảng Ngãi', 'province', '1989-07-01', NULL, :now, :now), "
                    "('QNG-51', 'Tỉnh Quảng Ngãi', 'province', '2025-07-01', NULL, :now, :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        for _ in range(2):
            downgrade(revision="b7d2f0e9c4a1")
            upgrade()
        with db.engine.connect() as conn:
            ends = dict(conn.execute(text("SELECT code, valid_to FROM org_units")).tuples().all())
            links = conn.execute(
                text(
                    "SELECT p.code, s.code FROM org_unit_successions l JOIN org_units p ON p.id = l.predecessor_id "
                    "JOIN org_units s ON s.id = l.successor_id"
                )
            ).all()
        assert {k: (date.fromisoformat(v) if isinstance(v, str) else v) for k, v in ends.items()} == {
            "QNG": date(2025, 6, 30),
            "QNG-51": None,
        }
        assert [tuple(r) for r in links] == [("QNG", "QNG-51")]
        db.session.remove()
        db.engine.dispose()
