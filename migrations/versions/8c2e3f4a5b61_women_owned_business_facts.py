"""entries: the two facts of a women-owned business (women own ≥ 51 % of the charter capital; a woman manages it)

Revision ID: 8c2e3f4a5b61
Revises: 7b1d2e3f4a50
Create Date: 2026-12-06 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c2e3f4a5b61'
down_revision = '7b1d2e3f4a50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('women_own_majority', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('woman_manages', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('woman_manages')
        batch_op.drop_column('women_own_majority')
