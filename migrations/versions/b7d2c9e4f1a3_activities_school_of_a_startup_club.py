"""activities: the school a startup club belongs to (Đề án 1665's student clubs, counted by school)

Revision ID: b7d2c9e4f1a3
Revises: a1c2e3f4b5d6
Create Date: 2026-12-07 02:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2c9e4f1a3'
down_revision = 'a1c2e3f4b5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_activities_school_id'), ['school_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_activities_school_id_org_units'), 'org_units', ['school_id'], ['id'], ondelete='RESTRICT'
        )


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activities_school_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_activities_school_id'))
        batch_op.drop_column('school_id')
