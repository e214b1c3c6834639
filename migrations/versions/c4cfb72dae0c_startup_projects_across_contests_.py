"""startup projects across contests, nominations between levels, plans

Every existing entry gets a project; an entry copied by a past nomination
(origin_entry_id) shares its origin's project, and the copy is recorded as an
accepted nomination. Enterprises are made from the follow-up records of
registered enterprises, one per registration number. The plan targets become
Decision 827/QĐ-UBND's, with its two targets that could not be recorded
(support organisations, concentrated service areas). Nothing is deleted:
entries, files and scores stay as they are. On SQLite the rebuilt tables are
rebuilt with foreign keys off (migrations/env.py), so dropping the old
`entries` table cascades to nothing.

Revision ID: c4cfb72dae0c
Revises: 5e1b7c2a9d30
Create Date: 2026-12-06 20:04:09.392060

"""
from datetime import UTC, date, datetime
import re

import sqlalchemy as sa
from alembic import op

import contest.models.base


# revision identifiers, used by Alembic.
revision = 'c4cfb72dae0c'
down_revision = '5e1b7c2a9d30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=False),
    sa.Column('field_name', sa.String(length=120), nullable=True),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_number', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('founded_on', sa.Date(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_enterprises_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('registration_number', name=op.f('uq_enterprises_registration_number'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_project_id'), ['project_id'], unique=False)

    op.create_table('nomination_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_nomination_quotas_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_nomination_quotas_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_quotas')),
    sa.UniqueConstraint('competition_id', 'org_unit_id', name=op.f('uq_nomination_quotas_competition_id_org_unit_id'))
    )
    op.create_table('nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_entry_id', sa.Integer(), nullable=False),
    sa.Column('target_competition_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('proposed', 'accepted', 'declined', 'withdrawn', name='nomination_state', native_enum=False, length=24), nullable=False),
    sa.Column('source_result', sa.String(length=300), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('accepted_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_entry_id'], ['entries.id'], name=op.f('fk_nominations_accepted_entry_id_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_nominations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_nominations_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_entry_id'], ['entries.id'], name=op.f('fk_nominations_source_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_competition_id'], ['competitions.id'], name=op.f('fk_nominations_target_competition_id_competitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations')),
    sa.UniqueConstraint('source_entry_id', 'target_competition_id', name=op.f('uq_nominations_source_entry_id_target_competition_id'))
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominations_source_entry_id'), ['source_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_target_competition_id'), ['target_competition_id'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
    _projects_from_entries()
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.alter_column('project_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_entries_project_id'), ['project_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_entries_project_id_projects'), 'projects', ['project_id'], ['id'], ondelete='RESTRICT')
    _enterprises_from_outcomes()

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takes_youth_nominations', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_document', sa.String(length=300), nullable=False, server_default=''))
    # The note said how a figure was known: it is the figure's source until a document is named.
    op.execute("UPDATE plan_figures SET source_document = note")

    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
    _decision_827()
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.alter_column('plan_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_plan_targets_start_year_indicator'), type_='unique')
        batch_op.create_index(batch_op.f('ix_plan_targets_plan_id'), ['plan_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_plan_targets_plan_id_start_year_indicator'), ['plan_id', 'start_year', 'indicator'])
        batch_op.create_foreign_key(batch_op.f('fk_plan_targets_plan_id_plans'), 'plans', ['plan_id'], ['id'], ondelete='CASCADE')



entries = sa.table('entries', sa.column('id', sa.Integer), sa.column('title', sa.String),
                   sa.column('field_id', sa.Integer), sa.column('origin_entry_id', sa.Integer),
                   sa.column('competition_id', sa.Integer), sa.column('project_id', sa.Integer),
                   sa.column('created_at', contest.models.base.UTCDateTime()))
projects = sa.table('projects', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('field_name', sa.String), sa.column('created_at', contest.models.base.UTCDateTime()),
                    sa.column('updated_at', contest.models.base.UTCDateTime()))
nominations = sa.table('nominations', sa.column('source_entry_id', sa.Integer),
                       sa.column('target_competition_id', sa.Integer), sa.column('state', sa.String),
                       sa.column('source_result', sa.String), sa.column('proposed_at', contest.models.base.UTCDateTime()),
                       sa.column('decided_at', contest.models.base.UTCDateTime()),
                       sa.column('accepted_entry_id', sa.Integer))
fields = sa.table('fields', sa.column('id', sa.Integer), sa.column('name', sa.String))
outcomes = sa.table('project_outcomes', sa.column('id', sa.Integer), sa.column('entry_id', sa.Integer),
                    sa.column('kind', sa.String), sa.column('occurred_on', sa.Date),
                    sa.column('registration_number', sa.String), sa.column('detail', sa.String),
                    sa.column('source', sa.String))
enterprises = sa.table('enterprises', sa.column('registration_number', sa.String), sa.column('name', sa.String),
                       sa.column('founded_on', sa.Date), sa.column('project_id', sa.Integer),
                       sa.column('source', sa.String), sa.column('created_at', contest.models.base.UTCDateTime()),
                       sa.column('updated_at', contest.models.base.UTCDateTime()))
plans = sa.table('plans', sa.column('id', sa.Integer), sa.column('number', sa.String), sa.column('issued_on', sa.Date),
                 sa.column('issuer', sa.String), sa.column('title', sa.Text), sa.column('start_year', sa.Integer),
                 sa.column('end_year', sa.Integer))
targets = sa.table('plan_targets', sa.column('id', sa.Integer), sa.column('plan_id', sa.Integer),
                   sa.column('start_year', sa.Integer), sa.column('end_year', sa.Integer),
                   sa.column('indicator', sa.String), sa.column('low', sa.Integer), sa.column('high', sa.Integer))


def _projects_from_entries():
    """One project per entry, in id order; a nominated copy joins its origin's."""
    conn = op.get_bind()
    field_names = dict(conn.execute(sa.select(fields.c.id, fields.c.name)).all())
    project_of: dict[int, int] = {}
    now = datetime.now(UTC)
    rows = conn.execute(sa.select(entries.c.id, entries.c.title, entries.c.field_id, entries.c.origin_entry_id,
                                  entries.c.competition_id, entries.c.created_at).order_by(entries.c.id)).all()
    for entry_id, title, field_id, origin_id, _competition_id, created_at in rows:
        if origin_id is not None and origin_id in project_of:
            project_of[entry_id] = project_of[origin_id]
        else:
            project_of[entry_id] = conn.execute(projects.insert().values(
                name=(title or "")[:250], field_name=field_names.get(field_id),
                created_at=created_at or now, updated_at=created_at or now).returning(projects.c.id)).scalar_one()
        conn.execute(entries.update().where(entries.c.id == entry_id).values(project_id=project_of[entry_id]))
    seen = set()
    for entry_id, _title, _field_id, origin_id, competition_id, created_at in rows:
        if origin_id is not None and origin_id in project_of and (origin_id, competition_id) not in seen:
            seen.add((origin_id, competition_id))
            conn.execute(nominations.insert().values(
                source_entry_id=origin_id, target_competition_id=competition_id, state="accepted",
                source_result="", proposed_at=created_at or now, decided_at=created_at or now,
                accepted_entry_id=entry_id))


def _enterprises_from_outcomes():
    """One enterprise per registration number (compared without spaces, dots or dashes)."""
    conn = op.get_bind()
    project_of = dict(conn.execute(sa.select(entries.c.id, entries.c.project_id)).all())
    now = datetime.now(UTC)
    seen = set()
    for entry_id, occurred_on, number, detail, source in conn.execute(
            sa.select(outcomes.c.entry_id, outcomes.c.occurred_on, outcomes.c.registration_number,
                      outcomes.c.detail, outcomes.c.source)
            .where(outcomes.c.kind == "enterprise_registered", outcomes.c.registration_number.is_not(None))
            .order_by(outcomes.c.occurred_on, outcomes.c.id)).all():
        key = re.sub(r"[\s.\-_/]", "", number or "").upper()[:40]
        if not key or key in seen:
            continue
        seen.add(key)
        conn.execute(enterprises.insert().values(registration_number=key, name=(detail or "")[:300],
                                                 founded_on=occurred_on, project_id=project_of.get(entry_id),
                                                 source=(source or "")[:300], created_at=now, updated_at=now))


DECISION_827 = dict(number="827/QĐ-UBND", issued_on=date(2022, 6, 27), issuer="Chủ tịch UBND tỉnh Quảng Ngãi",
                    title="Kế hoạch xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi giai đoạn "
                          "2022 - 2025, định hướng đến năm 2030", start_year=2022, end_year=2030)
NEW_TARGETS = ((2022, 2025, "support_organisations", 12, 14), (2022, 2025, "service_areas", 1, 2))


def _decision_827():
    """The targets recorded so far are Decision 827's, and its two missing ones are added.
    An empty database (a fresh install, or one a backup is restored into) stays empty:
    `flask plan load` or `flask demo` loads the plan there."""
    conn = op.get_bind()
    had = {(s, i) for s, i in conn.execute(sa.select(targets.c.start_year, targets.c.indicator)).all()}
    if not had:
        return
    # The reporting cycle's migration made the table; `flask plan load` may have filled it.
    plan_id = conn.execute(sa.select(plans.c.id).where(plans.c.number == DECISION_827["number"])).scalar()
    if plan_id is None:
        plan_id = conn.execute(plans.insert().values(**DECISION_827).returning(plans.c.id)).scalar_one()
    conn.execute(targets.update().values(plan_id=plan_id))
    for start, end, indicator, low, high in NEW_TARGETS:
        if (start, indicator) not in had:
            conn.execute(targets.insert().values(plan_id=plan_id, start_year=start, end_year=end,
                                                 indicator=indicator, low=low, high=high))


def downgrade():
    # Targets of other plans than the first would clash on the old (start_year, indicator) key.
    op.execute("DELETE FROM plan_targets WHERE plan_id <> (SELECT MIN(id) FROM plans)")
    op.execute("DELETE FROM plan_targets WHERE indicator IN ('support_organisations', 'service_areas')")
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_targets_plan_id_plans'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_plan_targets_plan_id_start_year_indicator'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_plan_targets_plan_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_plan_targets_start_year_indicator'), ['start_year', 'indicator'])
        batch_op.drop_column('plan_id')

    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.drop_column('source_document')

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('takes_youth_nominations')

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entries_project_id_projects'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_entries_project_id'))
        batch_op.drop_column('project_id')

    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominations_target_competition_id'))
        batch_op.drop_index(batch_op.f('ix_nominations_source_entry_id'))

    op.drop_table('nominations')
    op.drop_table('nomination_quotas')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_project_id'))

    op.drop_table('enterprises')
    op.drop_table('projects')
