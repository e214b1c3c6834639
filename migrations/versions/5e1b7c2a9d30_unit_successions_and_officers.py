"""organising units: many-to-many dated successions (replacing the single
successor column) and unit officers

Revision ID: 5e1b7c2a9d30
Revises: 897850649107
Create Date: 2026-12-06 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from contest.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '5e1b7c2a9d30'
down_revision = '897850649107'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'org_unit_successions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.Column('successor_id', sa.Integer(), nullable=False),
        sa.Column('on', sa.Date(), nullable=True),
        sa.CheckConstraint('predecessor_id <> successor_id', name=op.f('ck_org_unit_successions_not_itself')),
        sa.ForeignKeyConstraint(['predecessor_id'], ['org_units.id'],
                                name=op.f('fk_org_unit_successions_predecessor_id_org_units'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['successor_id'], ['org_units.id'],
                                name=op.f('fk_org_unit_successions_successor_id_org_units'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit_successions')),
        sa.UniqueConstraint('predecessor_id', 'successor_id', name=op.f('uq_org_unit_successions_predecessor_id_successor_id')),
    )
    with op.batch_alter_table('org_unit_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_successions_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_successions_successor_id'), ['successor_id'], unique=False)
    # Each old single link becomes a link dated the day the successor began.
    op.execute(sa.text("""
        INSERT INTO org_unit_successions (predecessor_id, successor_id, "on")
        SELECT u.id, u.successor_id, s.valid_from FROM org_units u JOIN org_units s ON s.id = u.successor_id
        WHERE u.successor_id <> u.id
    """))
    # SQLite rebuilds org_units here; migrations/env.py turns foreign keys off
    # around the run (and checks them after), as SQLite requires for a rebuild.
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_constraint('fk_org_units_successor_id_org_units', type_='foreignkey')
        batch_op.drop_column('successor_id')

    op.create_table(
        'unit_officers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('focal_point', 'leader', name='unit_officer_role', native_enum=False,
                                  length=24), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_unit_officers_valid_range')),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_unit_officers_granted_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_unit_officers_org_unit_id_org_units'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_officers_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_officers')),
    )
    with op.batch_alter_table('unit_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_officers_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_officers_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_officers_user_id'))
        batch_op.drop_index(batch_op.f('ix_unit_officers_org_unit_id'))
    op.drop_table('unit_officers')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_org_units_successor_id_org_units', 'org_units', ['successor_id'], ['id'],
                                    ondelete='SET NULL')
    # One successor per unit again: the earliest link of each predecessor.
    op.execute(sa.text("""
        UPDATE org_units SET successor_id = (
            SELECT s.successor_id FROM org_unit_successions s WHERE s.predecessor_id = org_units.id
            ORDER BY s.id LIMIT 1)
    """))
    with op.batch_alter_table('org_unit_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_successions_successor_id'))
        batch_op.drop_index(batch_op.f('ix_org_unit_successions_predecessor_id'))
    op.drop_table('org_unit_successions')
