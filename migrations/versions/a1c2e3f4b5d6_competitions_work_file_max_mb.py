"""competitions: the largest file of a press work, in MB (the media award)

Revision ID: a1c2e3f4b5d6
Revises: 9d3f4a5b6c72
Create Date: 2026-12-07 00:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c2e3f4b5d6'
down_revision = '9d3f4a5b6c72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_file_max_mb', sa.Integer(), nullable=False, server_default='20'))
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.alter_column('work_file_max_mb', server_default=None)


def downgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('work_file_max_mb')
