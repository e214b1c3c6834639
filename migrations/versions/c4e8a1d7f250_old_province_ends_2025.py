"""the pre-2025 province (QNG) ends 2025-06-30, succeeded by QNG-51

The 2020 reference file leaves Tỉnh Quảng Ngãi (QNG) open, so databases that
imported it list two current "Tỉnh Quảng Ngãi". Data only, and only where the
end date or the succession is missing: a unit an administrator dated or linked
otherwise is left as it is.

Revision ID: c4e8a1d7f250
Revises: b7d2f0e9c4a1
Create Date: 2026-12-07 13:20:00

"""

from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a1d7f250"
down_revision = "b7d2f0e9c4a1"
branch_labels = None
depends_on = None

OLD, NEW = "QNG", "QNG-51"
units = sa.table(
    "org_units",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("valid_from", sa.Date),
    sa.column("valid_to", sa.Date),
)
links = sa.table(
    "org_unit_successions",
    sa.column("predecessor_id", sa.Integer),
    sa.column("successor_id", sa.Integer),
    sa.column("on", sa.Date),
)


def upgrade():
    conn = op.get_bind()
    found = {
        code: (uid, start, end)
        for uid, code, start, end in conn.execute(
            sa.select(units.c.id, units.c.code, units.c.valid_from, units.c.valid_to).where(
                units.c.code.in_([OLD, NEW])
            )
        )
    }
    if OLD not in found or NEW not in found:
        return
    old_id, old_start, old_end = found[OLD]
    new_id, new_start, _ = found[NEW]
    if new_start is None:
        return
    last_day = date.fromordinal(new_start.toordinal() - 1)
    if old_end is None and (old_start is None or old_start <= last_day):
        conn.execute(sa.update(units).where(units.c.id == old_id, units.c.valid_to.is_(None)).values(valid_to=last_day))
    linked = conn.execute(
        sa.select(sa.func.count())
        .select_from(links)
        .where(links.c.predecessor_id == old_id, links.c.successor_id == new_id)
    ).scalar()
    if not linked:
        conn.execute(sa.insert(links).values(predecessor_id=old_id, successor_id=new_id, on=new_start))


def downgrade():
    # Data only: the end date and the link are facts of the 2025 reform, kept on the way down.
    pass
