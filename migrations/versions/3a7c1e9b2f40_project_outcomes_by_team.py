"""project outcomes: by_team, so an invited team removes only what it recorded

Revision ID: 3a7c1e9b2f40
Revises: dd96206ccfb3
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a7c1e9b2f40'
down_revision = 'dd96206ccfb3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('by_team', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Records already there: the team's when a member of the entry's team wrote
    # them and that account holds no role in the competition and is no
    # administrator; every other record stays the organizers'.
    op.execute(sa.text("""
        UPDATE project_outcomes SET by_team = :yes
        WHERE recorded_by_id IN (
            SELECT m.user_id FROM members m JOIN entries e ON e.team_id = m.team_id
            WHERE e.id = project_outcomes.entry_id)
        AND recorded_by_id NOT IN (
            SELECT r.user_id FROM competition_roles r JOIN entries e ON e.competition_id = r.competition_id
            WHERE e.id = project_outcomes.entry_id)
        AND recorded_by_id NOT IN (SELECT u.id FROM users u WHERE u.platform_role = 'admin')
    """).bindparams(sa.bindparam("yes", True, type_=sa.Boolean())))
    with op.batch_alter_table('project_outcomes', schema=None) as batch_op:
        batch_op.alter_column('by_team', server_default=None)


def downgrade():
    with op.batch_alter_table('project_outcomes', schema=None) as batch_op:
        batch_op.drop_column('by_team')
