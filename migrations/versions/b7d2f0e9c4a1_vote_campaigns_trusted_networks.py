"""vote_campaigns: the networks the organizers trust (the hall's Wi-Fi), never flagged as a burst

Revision ID: b7d2f0e9c4a1
Revises: b7d2c9e4f1a3
Create Date: 2026-12-07 02:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2f0e9c4a1'
down_revision = 'b7d2c9e4f1a3'
branch_labels = None
depends_on = None


def upgrade():
    # Categories opened before trust no network: an empty list.
    with op.batch_alter_table('vote_campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_networks', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('vote_campaigns', schema=None) as batch_op:
        batch_op.alter_column('trusted_networks', server_default=None)


def downgrade():
    with op.batch_alter_table('vote_campaigns', schema=None) as batch_op:
        batch_op.drop_column('trusted_networks')
