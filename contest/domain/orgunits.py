"""Organising units: CSV import and edits. The tree is data, so reforms are edits.

Succession is many-to-many and dated (OrgUnitSuccession): the CSV names a
row's predecessors in `successor_of` (codes separated by ";", the 2025 file),
or its one successor in `successor_code` (older files); both may be used.

A row with no `valid_to` whose unit has a successor ends the day before its
successor starts: the 2020 file leaves the old province open although the new
one replaced it on 2025-07-01, and lists of current units would show both."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple, cast

from flask_babel import gettext as _
from sqlalchemy import String, select
from sqlalchemy.orm import selectinload

from contest.domain import audit
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.i18n import format_day
from contest.models import OrgUnit, OrgUnitKind, OrgUnitSuccession

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The units shipped with the application, in load order (a row's parent and
# predecessors before it).
REFERENCE_FILES = (DATA_DIR / "org_units_quang_ngai_2020.csv", DATA_DIR / "org_units_quang_ngai_2025.csv")

CSV_COLUMNS = ("code", "name", "kind", "parent_code", "valid_from", "valid_to")
OPTIONAL_COLUMNS = ("successor_code", "successor_of")


class _Row(NamedTuple):
    line: int
    code: str
    name: str
    kind: OrgUnitKind
    parent_code: str
    successor_code: str
    predecessor_codes: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_added: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_date(value: str, line: int, column: str, errors: list[str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(
            _(
                "Line %(line)d: %(column)s must be a date like 2025-07-01, got “%(value)s”.",
                line=line,
                column=column,
                value=value,
            )
        )
        return None


def _snapshot(unit: OrgUnit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind.value,
        "parent": unit.parent.code if unit.parent else None,
        "successors": [u.code for u in unit.successors],
        "predecessors": [u.code for u in unit.predecessors],
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }


def import_csv(text: str) -> ImportReport:
    """Create or update units from CSV. Every row is checked first; if any row
    is bad nothing is written and the report lists every bad row."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
        return report
    rows: list[_Row] = []
    codes_in_file = set()
    for line, record in enumerate(reader, start=2):
        code = (record.get("code") or "").strip()
        name = (record.get("name") or "").strip()
        kind_value = (record.get("kind") or "").strip()
        if not code or not name:
            report.errors.append(_("Line %(line)d: code and name are required.", line=line))
            continue
        for column, value in (("code", code), ("name", name)):
            longest = cast(String, OrgUnit.__table__.c[column].type).length or len(value)
            if len(value) > longest:
                report.errors.append(
                    _(
                        "Line %(line)d: %(column)s holds at most %(count)d characters.",
                        line=line,
                        column=column,
                        count=longest,
                    )
                )
        if code in codes_in_file:
            report.errors.append(_("Line %(line)d: the code %(code)s appears twice.", line=line, code=code))
        codes_in_file.add(code)
        try:
            kind = OrgUnitKind(kind_value)
        except ValueError:
            report.errors.append(_("Line %(line)d: unknown kind “%(kind)s”.", line=line, kind=kind_value))
            continue
        valid_from = _parse_date(record.get("valid_from") or "", line, "valid_from", report.errors)
        valid_to = _parse_date(record.get("valid_to") or "", line, "valid_to", report.errors)
        if valid_from and valid_to and valid_to < valid_from:
            report.errors.append(_("Line %(line)d: valid_to is before valid_from.", line=line))
        predecessors = tuple(
            dict.fromkeys(c.strip() for c in (record.get("successor_of") or "").split(";") if c.strip())
        )
        successor_code = (record.get("successor_code") or "").strip()
        if code in predecessors or code == successor_code:
            report.errors.append(_("Line %(line)d: a unit cannot succeed itself.", line=line))
        rows.append(
            _Row(
                line,
                code,
                name,
                kind,
                (record.get("parent_code") or "").strip(),
                successor_code,
                predecessors,
                valid_from,
                valid_to,
            )
        )

    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    known = set(existing) | codes_in_file
    for row in rows:
        for ref in (row.parent_code, row.successor_code, *row.predecessor_codes):
            if ref and ref not in known:
                report.errors.append(_("Line %(line)d: unknown unit code %(code)s.", line=row.line, code=ref))
    if report.errors:
        return report
    # Written under a savepoint: a cycle found once every row is in undoes the file's rows only.
    savepoint = db.session.begin_nested()

    # Pass 1: the units themselves; pass 2: links, once every code exists.
    for row in rows:
        unit = existing.get(row.code)
        valid_to = row.valid_to or (_ended_by(unit.successors, unit.valid_from) if unit is not None else None)
        values = {"name": row.name, "kind": row.kind, "valid_from": row.valid_from, "valid_to": valid_to}
        if unit is None:
            unit = OrgUnit(code=row.code, **values)
            db.session.add(unit)
            existing[row.code] = unit
            report.created += 1
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    links = {(link.predecessor_id, link.successor_id) for link in db.session.scalars(select(OrgUnitSuccession))}
    added_links = 0
    for row in rows:
        unit = existing[row.code]
        unit.parent = existing[row.parent_code] if row.parent_code else None
        pairs = [(existing[code], unit) for code in row.predecessor_codes]
        if row.successor_code:
            pairs.append((unit, existing[row.successor_code]))
        for predecessor, successor in pairs:
            if (predecessor.id, successor.id) not in links:
                db.session.add(OrgUnitSuccession(predecessor=predecessor, successor=successor, on=successor.valid_from))
                links.add((predecessor.id, successor.id))
                added_links += 1
    taken_over: dict[int, list[OrgUnit | None]] = {}
    for predecessor_id, successor_id in links:
        taken_over.setdefault(predecessor_id, []).append(db.session.get(OrgUnit, successor_id))
    # The file's open rows, and the units its rows say they replaced.
    open_units = [existing[row.code] for row in rows if row.valid_to is None]
    open_units += [existing[code] for row in rows for code in row.predecessor_codes]
    for unit in open_units:
        if unit.valid_to is None:
            unit.valid_to = _ended_by(taken_over.get(unit.id, []), unit.valid_from)
    try:
        _check_no_cycles(existing.values())
    except DomainError as exc:
        savepoint.rollback()
        report.errors.append(exc.message)
        report.created = report.updated = report.unchanged = 0
        return report
    savepoint.commit()
    report.links_added = added_links
    db.session.flush()
    audit.record(
        "orgunits.imported",
        "org_unit",
        None,
        after={"created": report.created, "updated": report.updated, "successions_added": added_links},
    )
    return report


def _ended_by(successors, valid_from: date | None) -> date | None:
    """The last day of a unit that others took over: the day before the first
    of them started (None when none has a start date)."""
    starts = [u.valid_from for u in successors if u is not None and u.valid_from is not None]
    if not starts:
        return None
    end = min(starts) - timedelta(days=1)
    return end if valid_from is None or end >= valid_from else None


def _check_no_cycles(units) -> None:
    for unit in units:
        seen = set()
        node = unit
        while node is not None:
            if id(node) in seen:
                raise DomainError(_("Unit %(code)s would be its own ancestor.", code=unit.code))
            seen.add(id(node))
            node = node.parent


def find_by_code(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip()))


def save_unit(
    unit: OrgUnit | None,
    *,
    code: str,
    name: str,
    kind: str,
    parent_code: str | None,
    successor_codes: str | None,
    valid_from: date | None,
    valid_to: date | None,
) -> OrgUnit:
    """Create (unit=None) or edit a unit, with every reference checked.
    `successor_codes`: the units that took it over, separated by ";" or ","."""
    parent = find_by_code(parent_code)
    if parent_code and parent is None:
        raise DomainError(_("There is no unit with code %(code)s.", code=parent_code), field="parent_code")
    wanted = []
    for successor_code in dict.fromkeys(c.strip() for c in (successor_codes or "").replace(",", ";").split(";")):
        if not successor_code:
            continue
        successor = find_by_code(successor_code)
        if successor is None:
            raise DomainError(_("There is no unit with code %(code)s.", code=successor_code), field="successor_code")
        wanted.append(successor)
    clash = find_by_code(code)
    if clash is not None and clash is not unit:
        raise DomainError(_("Another unit already has the code %(code)s.", code=code), field="code")
    before = _snapshot(unit) if unit is not None else None
    if unit is None:
        unit = OrgUnit(code=code, name=name, kind=OrgUnitKind(kind))
        db.session.add(unit)
    if unit in wanted:
        raise DomainError(_("A unit cannot succeed itself."), field="successor_code")
    unit.code, unit.name, unit.kind = code.strip(), name.strip(), OrgUnitKind(kind)
    unit.parent = parent
    unit.valid_from, unit.valid_to = valid_from, valid_to
    for link in list(unit.successor_links):
        if link.successor not in wanted:
            unit.successor_links.remove(link)
    have = set(unit.successors)
    for successor in wanted:
        if successor not in have:
            unit.successor_links.append(OrgUnitSuccession(successor=successor, on=successor.valid_from))
    try:
        _check_no_cycles([unit])
    except DomainError as exc:  # the caller's atomic() undoes the change
        raise DomainError(exc.message, field="parent_code") from exc
    db.session.flush()
    audit.record("orgunit.saved", "org_unit", unit.id, before=before, after=_snapshot(unit))
    return unit


def units_valid_on(day: date) -> list[OrgUnit]:
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    return [u for u in units if u.is_valid_on(day)]


def history(unit: OrgUnit) -> tuple[list[OrgUnitSuccession], list[OrgUnitSuccession]]:
    """Every link back (what it came from) and forward (what it became),
    followed to the end in both directions, each list in date order."""

    def walk(start, step):
        seen, found, todo = {start.id}, [], [start]
        while todo:
            node = todo.pop()
            for link in step(node):
                other = link.predecessor if step is _back else link.successor
                found.append(link)
                if other.id not in seen:
                    seen.add(other.id)
                    todo.append(other)
        return sorted(found, key=lambda link: (link.on or date.min, link.id))

    return walk(unit, _back), walk(unit, _forward)


def _back(unit: OrgUnit) -> list[OrgUnitSuccession]:
    return unit.predecessor_links


def _forward(unit: OrgUnit) -> list[OrgUnitSuccession]:
    return unit.successor_links


def tree() -> list[tuple[OrgUnit, int]]:
    """Every unit with its depth, parents before children, for display."""
    units = db.session.scalars(
        select(OrgUnit)
        .order_by(OrgUnit.code)
        .options(selectinload(OrgUnit.successor_links).selectinload(OrgUnitSuccession.successor))
    ).all()
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def _day(value: date) -> str:
    return format_day(value)


def validity_text(unit: OrgUnit) -> str:
    """The unit's dates in words: "from 01/07/2025", "01/02/2020 – 30/06/2025"."""
    if unit.valid_from and unit.valid_to:
        return _("in force from %(start)s to %(end)s", start=_day(unit.valid_from), end=_day(unit.valid_to))
    if unit.valid_from:
        return _("in force from %(start)s", start=_day(unit.valid_from))
    if unit.valid_to:
        return _("in force until %(end)s", end=_day(unit.valid_to))
    return _("in force without an end date")


def check_valid_between(unit: OrgUnit, first: date, last: date, *, field: str | None = None) -> None:
    """Refuse a unit not in force on every day from `first` to `last`, naming its dates."""
    if not unit.is_valid_between(first, last):
        raise DomainError(
            _(
                "%(unit)s is %(dates)s, so it cannot organise a competition running from %(first)s "
                "to %(last)s. Choose the unit in force on those dates (after a reform, its successor).",
                unit=unit.name,
                dates=validity_text(unit),
                first=_day(first),
                last=_day(last),
            ),
            field=field,
        )


def units_for_year(year: int) -> tuple[list[OrgUnit], list[OrgUnit]]:
    """(units in force at some time in `year`, current ones first; units left
    out because they ended before it or began after it)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.name)).all()
    offered = [u for u in units if u.overlaps(first, last)]
    offered.sort(key=lambda u: (u.valid_to is not None, u.name))
    return offered, [u for u in units if not u.overlaps(first, last)]
