"""Demo data for `flask demo`. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from contest import signals
from contest.domain.accounts import hash_password
from contest.domain.orgunits import REFERENCE_FILES, import_csv
from contest.extensions import db
from contest.models import PlatformRole, User
from contest.models.base import utcnow

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo-matkhau-2026"  # noqa: S105 - printed by `flask demo` on purpose

DEMO_USERS = [
    ("admin", "admin@demo.quangngai.vn", "Quản trị hệ thống", PlatformRole.admin),
]


def _ensure_user(email: str, name: str, role: PlatformRole) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            full_name=name,
            password_hash=hash_password(DEMO_PASSWORD),
            platform_role=role,
            email_verified_at=utcnow(),
            locale="vi",
        )
        db.session.add(user)
        db.session.flush()
    return user


def load_demo() -> list[tuple[str, str, str]]:
    for path in REFERENCE_FILES:
        report = import_csv(path.read_text(encoding="utf-8"))
        if report.errors:
            raise RuntimeError("; ".join(report.errors))
    logins = []
    for label, email, full_name, role in DEMO_USERS:
        _ensure_user(email, full_name, role)
        logins.append((label, email, DEMO_PASSWORD))
    db.session.commit()
    from contest.demo_competitions import load_competitions

    shared_hash = hash_password(DEMO_PASSWORD)
    logins += [(label, email, DEMO_PASSWORD) for label, email in load_competitions(shared_hash)]
    from contest.demo_history import load_history

    load_history(shared_hash)  # 2022–2024, for the reports' trend; judging adds its rounds below
    from contest.demo_media import load_media_award

    load_media_award(shared_hash)  # press works, not projects
    from contest.demo_units import load_units

    admin = db.session.scalar(select(User).where(User.email == DEMO_USERS[0][1]))
    logins += [(label, email, DEMO_PASSWORD) for label, email in load_units(shared_hash, admin)]
    from contest.demo_experts import load_experts

    load_experts(date.today())  # the expert network; judging links its judges to it below
    # Packages built on `contest` (judging) add their part of the demo here.
    logins += [
        (label, email, DEMO_PASSWORD)
        for label, email in signals.collect_lists(signals.demo_loading, password_hash=shared_hash)
    ]
    from contest.demo_nominations import load_nominations

    load_nominations()  # after judging: a nomination needs the commune contest's announced awards

    from contest.demo_reporting import load_reporting

    # Last: the 2025 cycle counts the 2025 contest's projects.
    logins += [(label, email, DEMO_PASSWORD) for label, email in load_reporting(shared_hash)]
    return logins
