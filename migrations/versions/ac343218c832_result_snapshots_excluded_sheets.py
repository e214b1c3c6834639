"""result snapshots: the sheets left out by a conflict of interest, and why

Revision ID: ac343218c832
Revises: 3f9c2a7e1b40
Create Date: 2026-11-28 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ac343218c832'
down_revision = '3f9c2a7e1b40'
branch_labels = None
depends_on = None


def upgrade():
    # Snapshots frozen before left nothing out: an empty list.
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.drop_column('excluded')
