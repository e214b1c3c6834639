"""`flask backup` and `flask restore`: one .tar.gz with every table's rows (JSON
lines), every uploaded file, and a manifest with the schema revision, row
counts and a SHA-256 of each member. Restore goes only into an empty database
migrated to the same revision, and checks every checksum before writing.

Rows are written through SQLAlchemy, not pg_dump, so a backup taken on the
SQLite demo restores into PostgreSQL too.

The archive is created readable by its owner only, and may be encrypted with a
passphrase (the age format, `contest/agefile.py`). Mail bodies that could open
an account are left out (`outbox_row_for_backup`): a backup is not a way into
the accounts whose mail it holds."""

from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import os
import tarfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Enum,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

from contest import agefile
from contest.domain.tokens import contains_token
from contest.models import OutboxStatus
from contest.models.base import Base, UTCDateTime, utcnow

FORMAT = 1

LEFT_OUT_NOTE = (
    "left out of the backup: it carried a live link (confirmation, password reset or invitation); ask for a new one"
)


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


def _tables(conn: Connection) -> list[Table]:
    """The models' tables as this database holds them. A database at an earlier
    schema revision (a backup taken before an upgrade, restored into a database
    migrated to that revision) lacks some tables and columns: its archive holds
    exactly what it has, and restores into the same revision."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    scratch = MetaData()
    tables = []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        if columns >= set(table.c.keys()):
            tables.append(table)
            continue
        narrowed = Table(
            table.name,
            scratch,
            *[
                Column(c.name, c.type, primary_key=c.primary_key, onupdate=c.onupdate)
                for c in table.columns
                if c.name in columns
            ],
        )
        narrowed.info["self_links"] = [
            fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.name in columns
        ]
        tables.append(narrowed)
    return tables


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


def carries_live_link(text: str | None) -> bool:
    """A link made by contest.domain.tokens.make_token: confirmation, password
    reset, team and judge invitations. Certificates' verification links are
    random strings kept in the database anyway, and are not matched."""
    return contains_token(text)


def outbox_row_for_backup(row: dict) -> dict:
    """What a backup keeps of a mail: every row with its recipient, subject,
    status, attempts and times. Left out: the bodies of mail already sent or
    given up (nothing will send them again, and they may hold links that still
    work), and the bodies of waiting mail that hold a signed link; such mail is
    kept as failed, with a note, so a restored system never sends it empty."""
    if row["status"] is not OutboxStatus.pending:
        return {**row, "body_text": "", "body_html": None}
    if carries_live_link(row["body_text"]) or carries_live_link(row["body_html"]):
        return {
            **row,
            "body_text": "",
            "body_html": None,
            "status": OutboxStatus.failed,
            "last_error": LEFT_OUT_NOTE,
            "claimed_until": None,
            "claimed_by": None,
        }
    return row


# Tables whose rows the archive keeps only in part, and why (see docs/deploy.md).
_ROW_FILTERS = {"outbox_messages": outbox_row_for_backup}


def _private_file(path: Path):
    """A new file readable by its owner only from the moment it exists (not
    loosened and then tightened); one left over by a failed run is replaced."""
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def backup(
    conn: Connection,
    storage,
    out: Path,
    *,
    passphrase: str | None = None,
    work_factor: int = agefile.DEFAULT_WORK_FACTOR,
) -> dict:
    """Write the archive (encrypted with `passphrase` when given); returns the manifest."""
    checksums: dict[str, str] = {}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "revision": schema_revision(conn),
        "dialect": conn.dialect.name,
        "tables": {},
        "files": 0,
        "checksums": checksums,
    }
    partial = out.with_name(out.name + ".part")  # a failed backup never looks like a good one
    with _private_file(partial) as raw:
        sink = agefile.EncryptingWriter(raw, passphrase, work_factor) if passphrase else raw
        with tarfile.open(fileobj=sink, mode="w:gz") as archive:
            for table in _tables(conn):
                order = [c for c in table.primary_key.columns] or list(table.columns)
                keep = _ROW_FILTERS.get(table.name, dict)
                rows = conn.execute(select(table).order_by(*order)).mappings()
                lines = [
                    json.dumps(keep(dict(row)), default=_encode, ensure_ascii=False, sort_keys=True) for row in rows
                ]
                _add(
                    archive,
                    f"tables/{table.name}.jsonl",
                    ("\n".join(lines) + "\n" if lines else "").encode(),
                    checksums,
                )
                manifest["tables"][table.name] = len(lines)
            for key in sorted(storage.keys()):
                _add(archive, f"files/{key}", storage.read(key), checksums)
                manifest["files"] += 1
            _add(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode(), {})
        if sink is not raw:
            sink.close()
    partial.replace(out)
    return manifest


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return agefile.is_encrypted(fh.read(len(agefile.MAGIC)))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error}") from error


def _read_verified(path: Path, passphrase: str | None = None) -> tuple[dict, dict[str, bytes]]:
    members: dict[str, bytes] = {}
    encrypted = is_encrypted(path)
    if encrypted and not passphrase:
        raise BackupError(f"{path} is encrypted: give its passphrase")
    try:
        with path.open("rb") as raw:
            source: BinaryIO = raw
            if passphrase and encrypted:
                source = io.BufferedReader(agefile.DecryptingReader(raw, passphrase), agefile.CHUNK)
            with tarfile.open(fileobj=source, mode="r|gz") as archive:
                for info in archive:
                    member = archive.extractfile(info) if info.isfile() else None
                    if member is not None:
                        members[info.name] = member.read()
    except agefile.WrongPassphrase as error:
        raise BackupError(f"wrong passphrase: it does not open {path}") from error
    except agefile.AgeError as error:
        raise BackupError(f"cannot decrypt {path}: {error}") from error
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


def restore(conn: Connection, storage, path: Path, *, passphrase: str | None = None) -> dict:
    """Check the archive and the target, then load every row and file. The
    caller commits `conn`; files are written first (they are only reachable
    through rows, so a failed restore leaves unreferenced files at worst)."""
    manifest, members = _read_verified(path, passphrase)
    revision = schema_revision(conn)
    if revision != manifest["revision"]:
        raise BackupError(
            f"the database is at schema revision {revision}, the backup at {manifest['revision']}: "
            f"run `flask db upgrade {manifest['revision']}` on an empty database first"
        )
    tables = _tables(conn)
    for table in tables:
        if conn.execute(select(func.count()).select_from(table)).scalar():
            raise BackupError(f"the database is not empty (table {table.name} has rows); restore needs an empty one")
    for name, data in members.items():
        if name.startswith("files/"):
            storage.put(name.removeprefix("files/"), data)
    for table in tables:
        _load_table(conn, table, members.get(f"tables/{table.name}.jsonl", b""))
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, tables)
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
    self_links = table.info.get("self_links") or [
        fk.parent.name for fk in table.foreign_keys if fk.column.table is table
    ]
    later = [({name: row[name] for name in self_links}, row) for row in rows if any(row.get(n) for n in self_links)]
    conn.execute(table.insert(), [{**row, **{name: None for name in self_links}} for row in rows])
    keys = [c.name for c in table.primary_key.columns]
    stamped = [c.name for c in table.columns if c.onupdate is not None]  # keep updated_at as backed up
    for links, row in later:
        conn.execute(
            table.update()
            .where(*[table.c[k] == row[k] for k in keys])
            .values(**links, **{name: row[name] for name in stamped})
        )


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows came with their ids: move each id sequence past the highest one."""
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:name, 'id')"), {"name": table.name}).scalar()
        if sequence:
            top = conn.execute(select(func.max(table.c.id))).scalar() or 0
            conn.execute(text("SELECT setval(:sequence, :next, false)"), {"sequence": sequence, "next": top + 1})
