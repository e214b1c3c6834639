"""`flask backup` and `flask restore`: one .tar.gz with every table's rows (JSON
lines), every uploaded file, and a manifest with the schema revision, row
counts and a SHA-256 of each member. Restore goes only into an empty database
migrated to the same revision, and checks every checksum before writing.

Rows are written through SQLAlchemy, not pg_dump, so a backup taken on the
SQLite demo restores into PostgreSQL too."""

from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import tarfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import JSON, Date, DateTime, Enum, LargeBinary, Numeric, func, select, text
from sqlalchemy.engine import Connection

from contest.models.base import Base, UTCDateTime, utcnow

FORMAT = 1


class BackupError(Exception):
    """The archive cannot be restored here; the message says why."""


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot back up {type(value).__name__}")


def _decoder(column):
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return lambda name: kind.enum_class[name]
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return None


def schema_revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no alembic_version table: never migrated
        conn.rollback()
        return None


def _add(archive: tarfile.TarFile, name: str, data: bytes, checksums: dict[str, str]) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))
    checksums[name] = hashlib.sha256(data).hexdigest()


def backup(conn: Connection, storage, out: Path) -> dict:
    """Write the archive; returns the manifest."""
    checksums: dict[str, str] = {}
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "revision": schema_revision(conn),
                "dialect": conn.dialect.name, "tables": {}, "files": 0, "checksums": checksums}
    partial = out.with_name(out.name + ".part")   # a failed backup never looks like a good one
    with tarfile.open(partial, "w:gz") as archive:
        for table in Base.metadata.sorted_tables:
            order = [c for c in table.primary_key.columns] or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).mappings()
            lines = [json.dumps(dict(row), default=_encode, ensure_ascii=False, sort_keys=True) for row in rows]
            _add(archive, f"tables/{table.name}.jsonl", ("\n".join(lines) + "\n" if lines else "").encode(), checksums)
            manifest["tables"][table.name] = len(lines)
        for key in sorted(storage.keys()):
            _add(archive, f"files/{key}", storage.read(key), checksums)
            manifest["files"] += 1
        _add(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode(), {})
    partial.replace(out)
    return manifest


def _read_verified(path: Path) -> tuple[dict, dict[str, bytes]]:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for info in archive:
                if info.isfile():
                    members[info.name] = archive.extractfile(info).read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"cannot read {path}: {error}") from error
    if "manifest.json" not in members:
        raise BackupError("no manifest.json: not a backup of this system")
    manifest = json.loads(members.pop("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    expected = manifest["checksums"]
    if set(expected) != set(members):
        raise BackupError(f"members differ from the manifest: {sorted(set(expected) ^ set(members))[:5]}")
    for name, data in members.items():
        if hashlib.sha256(data).hexdigest() != expected[name]:
            raise BackupError(f"checksum mismatch: {name}")
    return manifest, members


def restore(conn: Connection, storage, path: Path) -> dict:
    """Check the archive and the target, then load every row and file. The
    caller commits `conn`; files are written first (they are only reachable
    through rows, so a failed restore leaves unreferenced files at worst)."""
    manifest, members = _read_verified(path)
    revision = schema_revision(conn)
    if revision != manifest["revision"]:
        raise BackupError(f"the database is at schema revision {revision}, the backup at {manifest['revision']}: "
                          f"run `flask db upgrade {manifest['revision']}` on an empty database first")
    for table in Base.metadata.sorted_tables:
        if conn.execute(select(func.count()).select_from(table)).scalar():
            raise BackupError(f"the database is not empty (table {table.name} has rows); restore needs an empty one")
    for name, data in members.items():
        if name.startswith("files/"):
            storage.put(name.removeprefix("files/"), data)
    for table in Base.metadata.sorted_tables:
        _load_table(conn, table, members.get(f"tables/{table.name}.jsonl", b""))
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    return manifest


def _load_table(conn: Connection, table, data: bytes) -> None:
    rows = [json.loads(line) for line in data.decode().splitlines() if line]
    if not rows:
        return
    decoders = {c.name: _decoder(c) for c in table.columns}
    for row in rows:
        for name, value in row.items():
            if value is not None and decoders.get(name) and not isinstance(table.c[name].type, JSON):
                row[name] = decoders[name](value)
    # A row may point at a later row of its own table (a unit's successor):
    # insert those links empty, then set them once every row exists.
    self_links = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    later = [({name: row[name] for name in self_links}, row) for row in rows if any(row.get(n) for n in self_links)]
    conn.execute(table.insert(), [{**row, **{name: None for name in self_links}} for row in rows])
    keys = [c.name for c in table.primary_key.columns]
    stamped = [c.name for c in table.columns if c.onupdate is not None]   # keep updated_at as backed up
    for links, row in later:
        conn.execute(table.update().where(*[table.c[k] == row[k] for k in keys])
                     .values(**links, **{name: row[name] for name in stamped}))


def _reset_sequences(conn: Connection) -> None:
    """Rows came with their ids: move each id sequence past the highest one."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:name, 'id')"), {"name": table.name}).scalar()
        if sequence:
            top = conn.execute(select(func.max(table.c.id))).scalar() or 0
            conn.execute(text("SELECT setval(:sequence, :next, false)"), {"sequence": sequence, "next": top + 1})
