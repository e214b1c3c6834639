"""attachments: purged_at, when a replaced file's contents were deleted; storage_key indexed

Revision ID: 3f9c2a7e1b40
Revises: 3a7c1e9b2f40
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.models.base


# revision identifiers, used by Alembic.
revision = '3f9c2a7e1b40'
down_revision = '3a7c1e9b2f40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', contest.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_storage_key'), ['storage_key'], unique=False)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_storage_key'))
        batch_op.drop_column('purged_at')
