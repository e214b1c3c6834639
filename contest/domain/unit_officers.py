"""Unit officers (cán bộ đầu mối, lãnh đạo đơn vị): an account's dated role in
an organising unit, and what it allows.

- An officer manages the competitions their own unit organises, and no other
  unit's: creates them (at the level the unit's kind allows), sets them up,
  appoints organizers, secretariat and judges, opens and closes them.
- The officers of a parent unit see what the units under it hold (drafts,
  reports, dashboards), without managing it.
- Officers are appointed by an administrator or by an officer of a unit above.
- A deactivated account holds nothing: its sessions end at once (see
  contest.domain.accounts.deactivate) and every query here skips it.

Functions change and flush; the request or command commits.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from contest.domain import audit, orgunits
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.models import OrgUnit, OrgUnitKind, UnitOfficer, UnitOfficerRole, User
from contest.models.base import utcnow

ROLE_LABELS = {
    UnitOfficerRole.focal_point: _l("Focal-point officer"),
    UnitOfficerRole.leader: _l("Unit leader"),
}

K = OrgUnitKind
# Which presets (contest.domain.competitions.PRESETS) a unit of each kind may run.
_LOCAL = ("district_commune",)
PRESETS_BY_KIND: dict[OrgUnitKind, tuple[str, ...]] = {
    K.province: ("provincial",),
    K.department: ("provincial",),
    K.youth_union: ("youth_idea",),
    K.commune: _LOCAL,
    K.ward: _LOCAL,
    K.special_zone: _LOCAL,
    K.district: _LOCAL,
    K.city: _LOCAL,
    K.town: _LOCAL,
    K.womens_union: ("district_commune", "youth_idea"),
    K.school: ("district_commune", "youth_idea"),
    K.other: ("district_commune", "youth_idea"),
}


def today() -> date:
    if has_app_context():
        return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    return date.today()


def _current(day: date):
    return and_(
        UnitOfficer.ended_at.is_(None),
        UnitOfficer.valid_from <= day,
        or_(UnitOfficer.valid_to.is_(None), UnitOfficer.valid_to >= day),
    )


def own_unit_ids(user, day: date | None = None) -> frozenset[int]:
    """The units `user` is a current officer of (kept for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active_account:
        return frozenset()
    if getattr(user, "holds_unit_role", None) is False:
        return frozenset()
    day = day or today()
    cache = g.setdefault("unit_officer_units", {}) if has_app_context() else {}
    key = (user.id, day)
    if key not in cache:
        cache[key] = frozenset(
            db.session.scalars(
                select(UnitOfficer.org_unit_id)
                .join(User, User.id == UnitOfficer.user_id)
                .where(UnitOfficer.user_id == user.id, User.is_active_account.is_(True), _current(day))
            )
        )
    return cache[key]


def accounts_of(unit_id: int, day: date | None = None) -> list[User]:
    """The active accounts that are current officers of the unit."""
    return list(
        db.session.scalars(
            select(User)
            .join(UnitOfficer, UnitOfficer.user_id == User.id)
            .where(UnitOfficer.org_unit_id == unit_id, User.is_active_account.is_(True), _current(day or today()))
            .order_by(UnitOfficer.valid_from, UnitOfficer.id)
        )
    )


def forget_cache() -> None:
    if has_app_context():
        g.pop("unit_officer_units", None)


def _descendants(unit_ids) -> set[int]:
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all()
    children: dict[int, list[int]] = {}
    for uid, parent_id in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(uid)
    found, todo = set(), list(unit_ids)
    while todo:
        uid = todo.pop()
        if uid not in found:
            found.add(uid)
            todo.extend(children.get(uid, []))
    return found


def seen_unit_ids(user) -> frozenset[int]:
    """The user's units and every unit under them: what a parent unit sees."""
    own = own_unit_ids(user)
    return frozenset(_descendants(own)) if own else frozenset()


def units_below(unit: OrgUnit) -> list[OrgUnit]:
    """Every unit under this one (children, their children ...), by name."""
    ids = _descendants([unit.id]) - {unit.id}
    if not ids:
        return []
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.name)))


def _ancestors(unit: OrgUnit) -> list[OrgUnit]:
    found, node = [], unit.parent
    while node is not None and node not in found:
        found.append(node)
        node = node.parent
    return found


def manages(user, unit: OrgUnit | None) -> bool:
    """An officer of this very unit (not of a parent, not of a child)."""
    return unit is not None and unit.id in own_unit_ids(user)


def sees(user, unit: OrgUnit | None) -> bool:
    """Administrators, the unit's officers and the officers of a unit above it."""
    if unit is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    own = own_unit_ids(user)
    if not own:
        return False
    return unit.id in own or any(a.id in own for a in _ancestors(unit))


def may_appoint(user, unit: OrgUnit) -> bool:
    """Administrators, and officers of a unit above this one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    own = own_unit_ids(user)
    return bool(own) and any(a.id in own for a in _ancestors(unit))


def _deactivatable_user_ids(by, users: list[User]) -> set[int]:
    """Of `users`, those whose every current unit role (at least one) is in a
    unit `by` may appoint to; never an administrator or `by` themselves. One
    query for all of them."""
    candidates = {u.id for u in users if not u.is_admin and u.id != getattr(by, "id", None)}
    if not candidates:
        return set()
    units_of_user: dict[int, list[OrgUnit]] = {}
    for user_id, unit in db.session.execute(
        select(UnitOfficer.user_id, OrgUnit)
        .join(OrgUnit, OrgUnit.id == UnitOfficer.org_unit_id)
        .where(UnitOfficer.user_id.in_(candidates), _current(today()))
    ).all():
        units_of_user.setdefault(user_id, []).append(unit)
    return {user_id for user_id, units in units_of_user.items() if all(may_appoint(by, unit) for unit in units)}


def may_deactivate(by, user: User) -> bool:
    """An officer of a unit above every unit `user` currently serves (and at
    least one): the person who may appoint there may also stop an account that
    serves nowhere else, e.g. a ward's officer who has left. Administrators and
    accounts with no current unit role are for administrators only."""
    return user.id in _deactivatable_user_ids(by, [user])


def deactivatable(by, officers: list[UnitOfficer]) -> set[int]:
    """The ids of the listed current officers whose accounts `by` may deactivate (for a page)."""
    current = [o for o in officers if o.ended_at is None and o.user.is_active_account]
    allowed = _deactivatable_user_ids(by, [o.user for o in current])
    return {o.id for o in current if o.user_id in allowed}


def units_of(user) -> list[OrgUnit]:
    own = own_unit_ids(user)
    if not own:
        return []
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(own)).order_by(OrgUnit.name)))


def officers_of(unit: OrgUnit) -> list[UnitOfficer]:
    return list(
        db.session.scalars(
            select(UnitOfficer)
            .options(joinedload(UnitOfficer.user))  # every row shows its person
            .where(UnitOfficer.org_unit_id == unit.id)
            .order_by(UnitOfficer.ended_at.is_not(None), UnitOfficer.valid_from, UnitOfficer.id)
        )
    )


def _snapshot(officer: UnitOfficer) -> dict:
    return {
        "unit": officer.org_unit.code,
        "user": officer.user.email,
        "role": officer.role.value,
        "valid_from": officer.valid_from.isoformat(),
        "valid_to": officer.valid_to.isoformat() if officer.valid_to else None,
        "ended_at": officer.ended_at.isoformat() if officer.ended_at else None,
    }


def appoint(
    unit: OrgUnit,
    email: str,
    role: UnitOfficerRole,
    *,
    by: User,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> UnitOfficer:
    """Make the account with this e-mail an officer of `unit`, for these dates."""
    if not may_appoint(by, unit):
        raise DomainError(_("Only an administrator or an officer of a unit above this one can appoint its officers."))
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise DomainError(_("No account uses this e-mail. Ask the person to sign up first."), field="email")
    if not user.is_active_account:
        raise DomainError(_("This account is deactivated."), field="email")
    valid_from = valid_from or max(today(), unit.valid_from or today())
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("The end date cannot be before the start date."), field="valid_to")
    if not unit.overlaps(valid_from, valid_to or date.max):
        raise DomainError(
            _(
                "%(unit)s is %(dates)s: choose dates while it exists.",
                unit=unit.name,
                dates=orgunits.validity_text(unit),
            ),
            field="valid_from",
        )
    clash = db.session.scalar(
        select(UnitOfficer.id).where(
            UnitOfficer.org_unit_id == unit.id,
            UnitOfficer.user_id == user.id,
            UnitOfficer.ended_at.is_(None),
            or_(UnitOfficer.valid_to.is_(None), UnitOfficer.valid_to >= valid_from),
        )
    )
    if clash is not None:
        raise DomainError(_("This person is already an officer of this unit."), field="email")
    officer = UnitOfficer(
        org_unit=unit,
        user=user,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by_id=by.id,
        granted_at=utcnow(),
    )
    db.session.add(officer)
    db.session.flush()
    forget_cache()
    audit.record("unit_officer.appointed", "unit_officer", officer.id, after=_snapshot(officer))
    return officer


def end(officer: UnitOfficer, *, by: User) -> None:
    """Remove the role at once; the row stays for the record."""
    if not may_appoint(by, officer.org_unit):
        raise DomainError(_("Only an administrator or an officer of a unit above this one can appoint its officers."))
    if officer.ended_at is not None:
        raise DomainError(_("This role has already ended."))
    before = _snapshot(officer)
    officer.ended_at = utcnow()
    db.session.flush()
    forget_cache()
    audit.record("unit_officer.ended", "unit_officer", officer.id, before=before, after=_snapshot(officer))


def presets_for(unit: OrgUnit) -> tuple[str, ...]:
    return PRESETS_BY_KIND.get(unit.kind, ())


def create_competition(user, unit: OrgUnit, *, name: str, year: int, slug: str, preset_name: str):
    """An officer creates a competition of their own unit, at a level its kind allows."""
    from contest.domain import competitions

    if not (user.is_admin or manages(user, unit)):
        raise DomainError(_("Only the unit's officers can create its competitions."))
    if preset_name not in presets_for(unit):
        raise DomainError(_("A unit of this kind does not run that kind of competition."), field="preset")
    competitions.check_unit_for_year(unit, year, field="year")
    return competitions.create_competition(name=name, year=year, slug=slug, org_unit=unit, preset_name=preset_name)


def seen_competition_ids(user) -> list[int]:
    """Competitions organised by the user's units or units under them."""
    from contest.models import Competition

    units = seen_unit_ids(user)
    if not units:
        return []
    return list(db.session.scalars(select(Competition.id).where(Competition.org_unit_id.in_(units))))
