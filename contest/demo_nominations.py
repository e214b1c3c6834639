"""The demo's nomination between levels: the commune contest of Lý Sơn (2026)
proposes its Giải Nhất to the provincial contest of 2026, whose secretariat
accepts it while that contest takes entries, so the project has a path
commune → province. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from contest.domain import nominations
from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import User

COMMUNE_SLUG = "khoi-nghiep-ly-son-2026"
PROVINCIAL_SLUG = "khoi-nghiep-quang-ngai-2026"


def load_nominations() -> None:
    commune, province = find_by_slug(COMMUNE_SLUG), find_by_slug(PROVINCIAL_SLUG)
    organizer = db.session.scalar(select(User).where(User.email == "btc@demo.quangngai.vn"))
    secretary = db.session.scalar(select(User).where(User.email == "thuky@demo.quangngai.vn"))
    if commune is None or province is None or organizer is None or secretary is None:
        return
    found = nominations.candidates(commune)
    if any(c.nominations for c in found):
        return
    winner = next((c for c in found if any(r == "Giải Nhất" for r in c.results)), None)
    if winner is None:
        return
    nomination = nominations.propose(winner.entry, province, organizer)
    # Past the provincial deadline (a demo loaded late in the year) the proposal waits, and
    # the proposals page says why it cannot be accepted.
    if nominations.entries_closed_reason(province) is None:
        nominations.accept(nomination, secretary, "Giải Nhất cuộc thi cấp xã, đủ điều kiện dự thi cấp tỉnh.")
    db.session.commit()
