"""An entry's documents (attachments): what may be uploaded and how large, the
space an entry uses, adding and removing files, and deleting the contents of
earlier versions once their retention has passed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from contest.domain import audit
from contest.domain.competitions import is_press_work
from contest.domain.errors import DomainError
from contest.domain.teams import require_editable
from contest.domain.uploads import (
    ACCEPTED,
    CONTENT_TYPES,
    EXTENSIONS,
    MAX_BYTES,
    MAX_ENTRY_BYTES,
    MB,
    megabytes,
    validate_upload,
)
from contest.extensions import db
from contest.models import (
    Attachment,
    AttachmentKind,
    Competition,
    Entry,
    Team,
)
from contest.models.base import utcnow
from contest.storage import get_storage
from contest.transactions import after_commit

ATTACHMENT_LABELS = {
    AttachmentKind.pitch_deck: _l("Pitch deck (PDF)"),
    AttachmentKind.description: _l("Project description (PDF or DOCX)"),
    AttachmentKind.image: _l("Images"),
}
MAX_IMAGES = 6
UPLOAD_MESSAGES = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is %(size_mb)s MB; at most %(max_mb)s MB is allowed."),
    "wrong_type": _l("This file is not of an accepted type (it looks like: %(detected)s). Accepted: %(expected)s."),
    "pdf_broken": _l("The PDF cannot be opened: it may be damaged or incomplete. Export it again and retry."),
    "pdf_encrypted": _l("The PDF is password-protected. Upload a version without a password."),
    "pdf_active": _l(
        "The PDF contains %(found)s, which could run on the judges' computers, so it is not accepted. "
        "Open it and print it to a new PDF (“Microsoft Print to PDF” or “Save as PDF”), or export it "
        "again without scripts, attached files or form fields, and upload the new file."
    ),
    "pdf_too_complex": _l(
        "The PDF has too many links, form fields or other parts to be checked for scripts (more "
        "than %(max_objects)s). Print it to a new PDF (“Microsoft Print to PDF” or “Save as PDF”) "
        "and upload that file."
    ),
    "docx_broken": _l("The DOCX file cannot be opened: it may be damaged."),
    "image_broken": _l("The image cannot be read: it may be damaged."),
    "media_broken": _l("The recording cannot be read: it may be damaged or incomplete. Export it again as MP3 or MP4."),
}
# What a refused PDF was found to contain (contest.domain.uploads.ACTIVE_CONTENT).
ACTIVE_CONTENT_LABELS = {
    "javascript": _l("JavaScript"),
    "launch": _l("an action that starts a program (/Launch)"),
    "embedded_file": _l("embedded files"),
    "additional_actions": _l("actions that run by themselves (/AA)"),
    "rich_media": _l("multimedia content (/RichMedia)"),
    "xfa": _l("an XFA form"),
}
log = logging.getLogger(__name__)


def explain_upload(check) -> str:
    """The refused upload's reason, in the user's language."""
    params = dict(check.params)
    if "expected" in params:
        params["expected"] = ", ".join(str(p).upper() for p in params["expected"])
    if "detected" in params:
        params["detected"] = str(params["detected"] or _("unknown")).upper()
    if "found" in params:
        params["found"] = ", ".join(str(ACTIVE_CONTENT_LABELS[code]) for code in params["found"])
    for key in ("size_mb", "max_mb"):
        if key in params:
            params[key] = format_decimal(params[key])
    if "max_objects" in params:
        params["max_objects"] = format_decimal(params["max_objects"])
    return UPLOAD_MESSAGES[check.error_code] % params


@dataclass(frozen=True)
class UploadLimit:
    """What the browser checks before sending a file of one kind (the server
    checks again, by content): its `accept` list, the most bytes, and both in words."""

    accept: str
    max_bytes: int
    max_mb: str
    types: str


def upload_rule(competition: Competition | None, kind: AttachmentKind) -> tuple[str, int]:
    """(upload kind for contest.domain.uploads, most bytes) of a file of `kind`: a press
    work's file (the media award's description) is an article or a recording, as large as
    its organizer set."""
    if kind is AttachmentKind.description and competition is not None and is_press_work(competition):
        return "work", competition.work_file_max_mb * MB
    return kind.value, MAX_BYTES[kind.value]


def largest_upload(competition: Competition | None) -> int:
    """The most bytes one file of an entry of `competition` may have (the upload's body limit)."""
    return max(upload_rule(competition, kind)[1] for kind in AttachmentKind)


def largest_upload_for_team(team_id: int) -> int:
    """`largest_upload` for the team's competition, read before the upload's body is (one query)."""
    competition = db.session.scalar(
        select(Competition).join(Team, Team.competition_id == Competition.id).where(Team.id == team_id)
    )
    return largest_upload(competition)


def upload_limits(competition: Competition | None = None) -> dict[str, UploadLimit]:
    limits = {}
    for kind in AttachmentKind:
        upload_kind, max_bytes = upload_rule(competition, kind)
        accepted = ACCEPTED[upload_kind]
        names = [ext for detected in accepted for ext in EXTENSIONS[detected]]
        names += [CONTENT_TYPES[detected] for detected in accepted]
        limits[kind.value] = UploadLimit(
            accept=",".join(names),
            max_bytes=max_bytes,
            max_mb=format_decimal(max_bytes / 2**20),
            types=", ".join(detected.upper() for detected in accepted),
        )
    return limits


@dataclass(frozen=True)
class StorageUse:
    """The disk an entry's files take: every stored version counts, current or
    replaced/removed, until its contents are purged."""

    used: int
    earlier: int  # of `used`: replaced or removed files still stored
    limit: int = MAX_ENTRY_BYTES

    @property
    def used_mb(self) -> str:
        return _mb(self.used)

    @property
    def earlier_mb(self) -> str:
        return _mb(self.earlier)

    @property
    def limit_mb(self) -> int:
        return self.limit // 2**20


def _mb(size: int) -> str:
    """Megabytes, one decimal rounded up, written the user's way ("0,1" in Vietnamese)."""
    return format_decimal(megabytes(size))


def entry_quota(competition: Competition) -> int:
    """All files of one entry together: a press work's recording comes on top of the usual total."""
    return MAX_ENTRY_BYTES + (competition.work_file_max_mb * MB if is_press_work(competition) else 0)


def storage_use(entry: Entry) -> StorageUse:
    """From the entry's loaded attachments (for showing)."""
    stored = [a for a in entry.attachments if a.purged_at is None]
    return StorageUse(
        sum(a.size for a in stored),
        sum(a.size for a in stored if a.replaced_at is not None),
        entry_quota(entry.competition),
    )


def _stored_bytes(entry_id: int, limit: int = MAX_ENTRY_BYTES) -> StorageUse:
    """From the database (for deciding), under the entry's row lock."""
    used, earlier = db.session.execute(
        select(
            func.coalesce(func.sum(Attachment.size), 0),
            func.coalesce(func.sum(case((Attachment.replaced_at.is_not(None), Attachment.size), else_=0)), 0),
        ).where(Attachment.entry_id == entry_id, Attachment.purged_at.is_(None))
    ).one()
    return StorageUse(int(used), int(earlier), limit)


def retention_days() -> int:
    return int(current_app.config["UPLOAD_RETENTION_DAYS"])


def add_attachment(entry: Entry, kind: AttachmentKind, filename: str, data: bytes, user) -> Attachment:
    require_editable(entry.team)
    upload_kind, max_bytes = upload_rule(entry.competition, kind)
    check = validate_upload(filename, data, upload_kind, max_bytes=max_bytes)
    if not check.ok:
        raise DomainError(explain_upload(check), field=kind.value, code=check.error_code)
    # The entry's row lock (PostgreSQL): two uploads at once cannot both take the last free space or image.
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update())
    if (
        kind is AttachmentKind.image
        and (
            db.session.scalar(
                select(func.count()).where(
                    Attachment.entry_id == entry.id, Attachment.kind == kind, Attachment.replaced_at.is_(None)
                )
            )
            or 0
        )
        >= MAX_IMAGES
    ):
        raise DomainError(_("At most %(max)d images.", max=MAX_IMAGES), field=kind.value, code="too_many")
    use = _stored_bytes(entry.id, entry_quota(entry.competition))
    if use.used + check.size > use.limit:
        raise DomainError(_quota_message(use, check.size), field=kind.value, code="entry_too_large")
    key = get_storage().save(data, suffix="." + (check.detected or "bin"))
    if kind is not AttachmentKind.image:
        for old in entry.current_attachments(kind):
            old.replaced_at = utcnow()
    attachment = Attachment(
        entry=entry,
        kind=kind,
        filename=check.safe_name,
        storage_key=key,
        content_type=check.content_type,
        size=check.size,
        sha256=check.sha256,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _quota_message(use: StorageUse, size: int) -> str:
    if use.earlier:
        return _(
            "This file (%(size)s MB) does not fit: the entry's files take %(used)s MB of at most %(max)d MB, "
            "including %(earlier)s MB of earlier versions that were replaced or removed. Earlier versions are "
            "deleted %(days)d days after they were replaced; ask the organizers if you need the space sooner.",
            size=_mb(size),
            used=use.used_mb,
            max=use.limit_mb,
            earlier=use.earlier_mb,
            days=retention_days(),
        )
    return _(
        "This file (%(size)s MB) does not fit: the entry's files take %(used)s MB and all files of an entry "
        "together may be at most %(max)d MB. Upload a smaller file.",
        size=_mb(size),
        used=use.used_mb,
        max=use.limit_mb,
    )


def remove_attachment(entry: Entry, attachment: Attachment) -> None:
    require_editable(entry.team)
    attachment.replaced_at = utcnow()  # the file stays for earlier submitted versions
    db.session.flush()


# -- a nominated project's files ---------------------------------------------------
# A nominated project's draft in the upper contest starts with no file of its origin entry
# (contest.domain.nominations.accept: nothing of the source becomes readable to the upper
# organizers unless the team acts). The team may then carry its origin's current files over
# (contest.domain.nominations.carry_over_dossier): new rows that share the origin's stored
# objects (the same storage keys), so nothing is read or written in storage. A shared file is
# safe: stored contents are only ever deleted by the purge below, and only once no unpurged
# row of any entry uses the key; replacing or removing a file in either entry only marks its
# own row. A file the upper contest's upload rules refuse (another type, too large, one image
# too many, over the entry's total) is not carried, and named: it could not be uploaded
# there either, and carrying it would fill a slot (the project description) with a file the
# contest does not take. Nor is a file of a kind the draft already has: the team's own.


@dataclass(frozen=True)
class LeftBehind:
    """A current file of the origin entry that is not carried into the draft, and why."""

    filename: str
    kind: AttachmentKind
    size: int
    problem: str  # "wrong_type", "too_large", "too_many", "entry_too_large" or "has_own"
    limit: int = 0  # the limit broken: bytes, or images
    expected: tuple[str, ...] = ()
    detected: str | None = None

    def reason(self) -> str:
        """Why, in the current locale, in the words an upload refused for the same cause gets."""
        if self.problem == "wrong_type":
            return str(UPLOAD_MESSAGES["wrong_type"]) % {
                "detected": (self.detected or _("unknown")).upper(),
                "expected": ", ".join(t.upper() for t in self.expected),
            }
        if self.problem == "too_large":
            return str(UPLOAD_MESSAGES["too_large"]) % {
                "size_mb": _mb(self.size),
                "max_mb": format_decimal(self.limit / MB),
            }
        if self.problem == "too_many":
            return _("At most %(max)d images.", max=self.limit)
        if self.problem == "has_own":
            return _("This entry already has its own file of this kind.")
        return _("All files of an entry together may be at most %(max)d MB.", max=self.limit // MB)


def _detected(content_type: str) -> str | None:
    return next((name for name, known in CONTENT_TYPES.items() if known == content_type), None)


def carry_plan(origin: Entry, entry: Entry) -> tuple[list[Attachment], list[LeftBehind]]:
    """The origin's current files that `entry` (its nominated copy) would take, in upload
    order, and the ones left behind: of a kind the entry already has a current file of, or
    refused by its contest's upload rules (counting the entry's own files and space). Only
    current files: replaced or removed ones, whose contents may be purged, belong to the
    origin's submitted versions."""
    competition = entry.competition
    taken: list[Attachment] = []
    left: list[LeftBehind] = []
    own = {a.kind for a in entry.current_attachments()}
    carried = {a.storage_key for a in entry.current_attachments()}  # already brought over: not named again
    quota = entry_quota(competition)
    total = _stored_bytes(entry.id, quota).used if entry.id else 0
    images = 0
    for row in sorted(origin.current_attachments(), key=lambda a: a.id):
        if row.purged_at is not None or row.storage_key in carried:
            continue
        upload_kind, max_bytes = upload_rule(competition, row.kind)
        detected = _detected(row.content_type)
        if row.kind in own:
            left.append(LeftBehind(row.filename, row.kind, row.size, "has_own"))
        elif detected not in ACCEPTED[upload_kind]:
            left.append(
                LeftBehind(
                    row.filename, row.kind, row.size, "wrong_type", expected=ACCEPTED[upload_kind], detected=detected
                )
            )
        elif row.size > max_bytes:
            left.append(LeftBehind(row.filename, row.kind, row.size, "too_large", max_bytes))
        elif row.kind is AttachmentKind.image and images >= MAX_IMAGES:
            left.append(LeftBehind(row.filename, row.kind, row.size, "too_many", MAX_IMAGES))
        elif total + row.size > quota:
            left.append(LeftBehind(row.filename, row.kind, row.size, "entry_too_large", quota))
        else:
            taken.append(row)
            total += row.size
            images += row.kind is AttachmentKind.image
    return taken, left


def carry_files(origin: Entry, entry: Entry) -> tuple[list[Attachment], list[LeftBehind]]:
    """Give `entry`, a nominated project's draft, the origin's current files that it takes
    (`carry_plan`), sharing their stored objects; returns the new rows and the files left
    behind. The entry's row is locked (two presses at once cannot both add a kind), and the
    origin's current rows for share (PostgreSQL) until the commit: the origin's file cannot be
    replaced and purged meanwhile, so the purge sees the new rows before it decides whether a
    key is still used."""
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update())
    db.session.execute(
        select(Attachment.id)
        .where(Attachment.entry_id == origin.id, Attachment.replaced_at.is_(None))
        .with_for_update(read=True)
    )
    db.session.refresh(origin, ["attachments"])
    db.session.refresh(entry, ["attachments"])
    taken, left = carry_plan(origin, entry)
    rows = [
        Attachment(
            entry=entry,
            kind=row.kind,
            filename=row.filename,
            storage_key=row.storage_key,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_by_id=row.uploaded_by_id,
            uploaded_at=row.uploaded_at,
        )
        for row in taken
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows, left


# -- earlier versions: deleting their contents ---------------------------------------
# The rows stay (name, size, SHA-256, who uploaded it and when, when it was
# replaced): that is the record. Only the stored contents go, and a file is only
# deleted when no other unpurged row uses its key (a nominated entry's copy
# shares its origin's files).


def _purge(rows: list[Attachment], reason: str) -> list[str]:
    """Mark `rows` purged and audit it, one event per entry; returns the keys
    whose files may now be deleted (after the commit)."""
    now = utcnow()
    by_entry: dict[int, list[Attachment]] = {}
    for row in rows:
        row.purged_at = now
        by_entry.setdefault(row.entry_id, []).append(row)
    for entry_id, items in by_entry.items():
        audit.record(
            "entry.files_purged",
            "entry",
            entry_id,
            competition_id=items[0].entry.competition_id,
            reason=reason,
            after={
                "bytes": sum(a.size for a in items),
                "files": [
                    {
                        "id": a.id,
                        "kind": a.kind.value,
                        "filename": a.filename,
                        "size": a.size,
                        "sha256": a.sha256,
                        "replaced_at": a.replaced_at.isoformat() if a.replaced_at else None,
                    }
                    for a in items
                ],
            },
        )
    return _unreferenced({row.storage_key for row in rows})


def _unreferenced(keys: set[str]) -> list[str]:
    if not keys:
        return []
    used = set(
        db.session.scalars(
            select(Attachment.storage_key).where(Attachment.storage_key.in_(keys), Attachment.purged_at.is_(None))
        )
    )
    return sorted(keys - used)


def _delete_files(keys: list[str]) -> int:
    """After the commit: a crash here leaves files that the next `flask uploads purge` deletes."""
    storage, deleted = get_storage(), 0
    for key in keys:
        try:
            storage.delete(key)
        except OSError:  # the rows are purged already; the next run tries again
            log.warning("could not delete purged upload %s", key, exc_info=True)
        else:
            deleted += 1
    return deleted


def purge_earlier_files(entry: Entry) -> int:
    """At the organizers' request: delete now the contents of every replaced or
    removed file of the entry (audited). Returns how many files."""
    # Locked: a purge run at the same moment takes other rows (or waits), never the same ones twice.
    rows = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.entry_id == entry.id, Attachment.replaced_at.is_not(None), Attachment.purged_at.is_(None))
            .order_by(Attachment.id)
            .with_for_update()
        )
    )
    if not rows:
        return 0
    keys = _purge(rows, "organizer")
    db.session.flush()
    after_commit(lambda: _delete_files(keys))  # once the rows say "purged"; never if the request fails
    return len(rows)


@dataclass
class PurgeReport:
    files: int = 0
    bytes: int = 0
    entries: int = 0
    deleted: int = 0  # files removed from storage (fewer when rows share a file)


def purge_expired_files(
    days: int | None = None, *, now: datetime | None = None, dry_run: bool = False, batch: int = 500
) -> PurgeReport:
    """Delete the contents of files replaced or removed more than `days` ago
    (default UPLOAD_RETENTION_DAYS), in batches, each its own transaction; then
    delete any purged file an interrupted run left behind.

    A batch job (`flask uploads purge`), and so an exception to "domain
    functions never commit" (docs/architecture.md): it owns its transactions,
    one per batch, so several runs share the work (SKIP LOCKED) and a run
    stopped half-way keeps what it did. Call it with nothing pending."""
    days = retention_days() if days is None else days
    cutoff = (now or utcnow()) - timedelta(days=days)
    due = (
        select(Attachment)
        .where(Attachment.replaced_at < cutoff, Attachment.purged_at.is_(None))
        .order_by(Attachment.entry_id, Attachment.id)
    )
    report, entries = PurgeReport(), set()
    if dry_run:
        for row in db.session.scalars(due):
            report.files, report.bytes = report.files + 1, report.bytes + row.size
            entries.add(row.entry_id)
        report.entries = len(entries)
        db.session.rollback()
        return report
    while True:
        # Several runs at once (PostgreSQL): each takes rows the others have not locked.
        rows = list(db.session.scalars(due.limit(batch).with_for_update(skip_locked=True, of=Attachment)))
        if not rows:
            break
        report.files += len(rows)
        report.bytes += sum(a.size for a in rows)
        entries.update(a.entry_id for a in rows)
        keys = _purge(rows, "retention")
        after_commit(partial(_count_deleted, report, keys))
        db.session.commit()
    report.entries = len(entries)
    report.deleted += _sweep_left_behind()
    return report


def _count_deleted(report: PurgeReport, keys: list[str]) -> None:
    report.deleted += _delete_files(keys)


def _sweep_left_behind() -> int:
    """Files of purged rows that are still stored (a run stopped between its
    commit and the deletion) and that no unpurged row uses."""
    purged: set[str] = set()
    kept: set[str] = set()
    for key, is_purged in db.session.execute(select(Attachment.storage_key, Attachment.purged_at.is_not(None))):
        (purged if is_purged else kept).add(key)
    db.session.rollback()
    storage = get_storage()
    return _delete_files([key for key in sorted(purged - kept) if storage.exists(key)])
