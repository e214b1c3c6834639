"""youth idea contests: ideas only (refuse entries with an enterprise or revenue); Đoàn member

Youth startup-idea competitions already there become ideas-only, as their
preset now makes them; entries already submitted stay as they are (the rule is
checked at the next submission).

Revision ID: 7b1d2e3f4a50
Revises: 81ebd4cf1bbf
Create Date: 2026-12-06 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b1d2e3f4a50'
down_revision = '81ebd4cf1bbf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ideas_only', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        sa.text("UPDATE competitions SET ideas_only = :yes WHERE level = 'youth_idea'").bindparams(
            sa.bindparam("yes", True, type_=sa.Boolean())
        )
    )
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.alter_column('ideas_only', server_default=None)
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_doan_member', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('is_doan_member')
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('ideas_only')
