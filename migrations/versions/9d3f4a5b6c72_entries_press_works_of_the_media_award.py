"""entries: a press work's medium, outlet, publication date and link (the media award)

Revision ID: 9d3f4a5b6c72
Revises: dcc2831a96ed
Create Date: 2026-12-07 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d3f4a5b6c72'
down_revision = 'dcc2831a96ed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_type', sa.Enum('print', 'online', 'radio', 'television', 'social', name='media_type', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('outlet', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('published_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('work_url', sa.String(length=500), nullable=True))
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.alter_column('outlet', server_default=None)


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('work_url')
        batch_op.drop_column('published_on')
        batch_op.drop_column('outlet')
        batch_op.drop_column('media_type')
