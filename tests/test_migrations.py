"""Migrations build the schema from nothing and match the models exactly."""

from __future__ import annotations

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
        grant_role(competition, organizer.email, CompetitionRoleKind.organizer,
                   make_user("root-backfill@example.vn", admin=True))
        by_member = followup.record_outcome(entry, followup.OutcomeInput(
            OutcomeKind.jobs_created, date(2025, 6, 1), "Báo cáo của đội", jobs=2), entry.team.leader, by_team=True)
        by_organizer = followup.record_outcome(entry, followup.OutcomeInput(
            OutcomeKind.jobs_created, date(2025, 6, 2), "Gọi điện", jobs=3), organizer)
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
