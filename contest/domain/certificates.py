"""Issuing certificates: templates, serials and tokens, revoking and
reissuing (audited), rendering through the pure layout, and batches that
render a whole competition in the background with visible progress.

Who receives what comes from outside as plain `Recipient`s: participation
here, awards from the package that decides them (judging), through the
"certificate_recipients" providers registered on the app."""

from __future__ import annotations

import io
import re
import secrets
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from contest import signals
from contest.certificates.layout import (
    BorderStyle,
    CertificateData,
    CertificateTemplate,
    Orientation,
    render_certificate,
    render_certificates,
)
from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.models import (
    AuditEvent,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateTemplateRecord,
    Competition,
    CompetitionLevel,
    Entry,
    EntryStatus,
    EntryValidity,
)
from contest.models.base import utcnow
from contest.storage import get_storage
from contest.transactions import after_commit

PARTICIPATION_WORDING = "Chứng nhận\n{person}\nĐội thi: {team}\nDự án\n{project}\nĐã tham gia\n{competition}"
AWARD_WORDING = "Chứng nhận\n{person}\nĐội thi: {team}\nDự án\n{project}\nĐã đạt\n{award}\n{competition}"
# The media award honours each author of a press work by name: the work, not a team or a project.
PRESS_PARTICIPATION_WORDING = "Chứng nhận\n{person}\nTác giả tác phẩm\n{project}\nĐã tham gia\n{competition}"
PRESS_AWARD_WORDING = "Chứng nhận\n{person}\nTác giả tác phẩm\n{project}\nĐã đạt\n{award}\n{competition}"


@dataclass(frozen=True)
class Recipient:
    person_name: str
    team_name: str
    project_title: str
    award_name: str
    entry_id: int | None = None
    team_id: int | None = None
    member_id: int | None = None


# -- templates -------------------------------------------------------------------


def default_template(competition: Competition, kind: CertificateKind) -> CertificateTemplateRecord:
    record = CertificateTemplateRecord(
        competition_id=competition.id,
        kind=kind,
        name="Giấy chứng nhận đạt giải" if kind is CertificateKind.award else "Giấy chứng nhận tham gia",
        kind_title="GIẤY CHỨNG NHẬN",
        issuer_lines="ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI",
        motto_lines="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        wording=_default_wording(competition, kind),
        place="Quảng Ngãi",
        signer_title_lines="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        signer_name="",
        per_team=False,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _default_wording(competition: Competition, kind: CertificateKind) -> str:
    if competition.level is CompetitionLevel.media_award:
        return PRESS_AWARD_WORDING if kind is CertificateKind.award else PRESS_PARTICIPATION_WORDING
    return AWARD_WORDING if kind is CertificateKind.award else PARTICIPATION_WORDING


def templates_of(competition: Competition) -> list[CertificateTemplateRecord]:
    return list(
        db.session.scalars(
            select(CertificateTemplateRecord)
            .where(CertificateTemplateRecord.competition_id == competition.id)
            .order_by(CertificateTemplateRecord.id)
        )
    )


def unsigned_templates(competition: Competition) -> list[CertificateTemplateRecord]:
    """The competition's templates whose signer's name is empty: their certificates
    print a title over a blank where the name belongs."""
    return [t for t in templates_of(competition) if not (t.signer_name or "").strip()]


def ensure_templates(competition: Competition) -> dict[CertificateKind, CertificateTemplateRecord]:
    found = {t.kind: t for t in templates_of(competition)}
    for kind in CertificateKind:
        if kind not in found:
            found[kind] = default_template(competition, kind)
    return found


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def layout_template(record: CertificateTemplateRecord) -> CertificateTemplate:
    storage = get_storage()

    def image(key):
        return storage.read(key) if key else None

    return CertificateTemplate(
        kind_title=record.kind_title,
        issuer_lines=_lines(record.issuer_lines),
        motto_lines=_lines(record.motto_lines),
        wording=record.wording,
        place=record.place,
        signer_title_lines=_lines(record.signer_title_lines),
        signer_name=record.signer_name,
        logo_image=image(record.logo_key),
        signature_image=image(record.signature_key),
        seal_image=image(record.seal_key),
        border_style=cast(BorderStyle, record.border_style),
        orientation=cast(Orientation, record.orientation),
    )  # checked by CertificateTemplate itself


def update_template(record: CertificateTemplateRecord, **values) -> None:
    before = {k: getattr(record, k) for k in values}
    for key, value in values.items():
        setattr(record, key, value)
    try:
        layout_template(record)
    except ValueError as error:
        raise DomainError(_("The template is not valid: %(error)s", error=str(error))) from None
    audit.record(
        "certificate.template",
        "certificate_template",
        record.id,
        competition_id=record.competition_id,
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in values.items()},
    )


def preview(record: CertificateTemplateRecord) -> bytes:
    """The template with sample data, for the organizer's live preview."""
    competition = db.session.get_one(Competition, record.competition_id)
    sample = CertificateData(
        person_name="Nguyễn Thị Hồng Nhung",
        team_name="Đội Tỏi đen Lý Sơn",
        project_title="Tỏi đen lên men tự nhiên từ tỏi cô đơn Lý Sơn",
        award_name="Giải Nhất" if record.kind is CertificateKind.award else "",
        competition_name=competition.name,
        serial=f"{competition.code_prefix}-000000",
        verify_url=external_url("certificates.verify", token="mau-xem-truoc"),  # noqa: S106 - a sample link
        issued_on=date.today(),
    )
    return render_certificate(layout_template(record), sample)


# -- recipients ---------------------------------------------------------------------


def participation_recipients(competition: Competition) -> list[Recipient]:
    """Every member of every valid entry."""
    entries = db.session.scalars(
        select(Entry)
        .where(
            Entry.competition_id == competition.id,
            Entry.status == EntryStatus.submitted,
            Entry.validity == EntryValidity.valid,
        )
        .order_by(Entry.code)
    )
    return [
        Recipient(m.full_name, e.team.name, e.title, "", e.id, e.team_id, m.id) for e in entries for m in e.team.members
    ]


def award_recipients(competition: Competition) -> list[Recipient]:
    return signals.collect_lists(signals.award_recipients, competition=competition)


# -- issuing ---------------------------------------------------------------------


def _next_serial(competition_id: int) -> str:
    db.session.execute(
        update(Competition)
        .where(Competition.id == competition_id)
        .values(certificate_seq=Competition.certificate_seq + 1)
    )
    prefix, seq = db.session.execute(
        select(Competition.code_prefix, Competition.certificate_seq).where(Competition.id == competition_id)
    ).one()
    return f"{prefix}-{seq:06d}"


def _already_issued(record: CertificateTemplateRecord, recipient: Recipient) -> bool:
    return (
        db.session.scalar(
            select(Certificate.id).where(
                Certificate.template_id == record.id,
                Certificate.entry_id == recipient.entry_id,
                Certificate.member_id.is_(recipient.member_id)
                if recipient.member_id is None
                else Certificate.member_id == recipient.member_id,
                Certificate.award_name == recipient.award_name,
                Certificate.revoked_at.is_(None),
            )
        )
        is not None
    )


def issue(record: CertificateTemplateRecord, recipients: list[Recipient], issued_on: date) -> list[Certificate]:
    """One certificate per recipient (per team when the template says so); recipients
    who already hold a valid one from this template are skipped."""
    if record.per_team:
        seen, unique = set(), []
        for r in recipients:
            if (r.entry_id, r.award_name) not in seen:
                seen.add((r.entry_id, r.award_name))
                unique.append(
                    Recipient(r.team_name, r.team_name, r.project_title, r.award_name, r.entry_id, r.team_id, None)
                )
        recipients = unique
    issued = []
    for recipient in recipients:
        if _already_issued(record, recipient):
            continue
        certificate = Certificate(
            serial=_next_serial(record.competition_id),
            token=secrets.token_urlsafe(32),
            competition_id=record.competition_id,
            template_id=record.id,
            entry_id=recipient.entry_id,
            team_id=recipient.team_id,
            member_id=recipient.member_id,
            person_name=recipient.person_name[:200],
            team_name=recipient.team_name[:200],
            project_title=recipient.project_title[:300],
            award_name=recipient.award_name[:200],
            issued_on=issued_on,
            issued_at=utcnow(),
        )
        db.session.add(certificate)
        issued.append(certificate)
    db.session.flush()
    for certificate in issued:
        audit.record(
            "certificate.issued",
            "certificate",
            certificate.id,
            competition_id=record.competition_id,
            after={"serial": certificate.serial, "person": certificate.person_name, "award": certificate.award_name},
        )
    return issued


def revoke(certificate: Certificate, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking the certificate."), field="reason")
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    certificate.revoked_at, certificate.revoked_reason = utcnow(), reason
    audit.record(
        "certificate.revoked",
        "certificate",
        certificate.id,
        competition_id=certificate.competition_id,
        before={"serial": certificate.serial, "valid": True},
        after={"valid": False},
        reason=reason,
    )


def revoke_award(competition_id: int, entry_id: int, award_name: str, reason: str) -> int:
    """Revoke the valid certificates of an award the entry no longer holds (taken
    back, or gone to another entry when the awards were proposed again): they
    verify as revoked, and no later batch prints them. Returns how many."""
    held = db.session.scalars(
        select(Certificate)
        .join(CertificateTemplateRecord, CertificateTemplateRecord.id == Certificate.template_id)
        .where(
            Certificate.competition_id == competition_id,
            Certificate.entry_id == entry_id,
            Certificate.award_name == award_name[:200],
            Certificate.revoked_at.is_(None),
            CertificateTemplateRecord.kind == CertificateKind.award,
        )
        .order_by(Certificate.id)
    ).all()
    for certificate in held:
        revoke(certificate, reason)
    return len(held)


def reissue(
    certificate: Certificate, reason: str, *, person_name: str | None = None, project_title: str | None = None
) -> Certificate:
    """Revoke and issue a corrected copy (a misspelt name); the old one verifies as revoked."""
    revoke(certificate, reason)
    copy = Certificate(
        serial=_next_serial(certificate.competition_id),
        token=secrets.token_urlsafe(32),
        competition_id=certificate.competition_id,
        template_id=certificate.template_id,
        entry_id=certificate.entry_id,
        team_id=certificate.team_id,
        member_id=certificate.member_id,
        person_name=(person_name or certificate.person_name).strip()[:200],
        team_name=certificate.team_name,
        project_title=(project_title or certificate.project_title).strip()[:300],
        award_name=certificate.award_name,
        issued_on=certificate.issued_on,
        issued_at=utcnow(),
    )
    db.session.add(copy)
    db.session.flush()
    certificate.replaced_by_id = copy.id
    audit.record(
        "certificate.reissued",
        "certificate",
        copy.id,
        competition_id=certificate.competition_id,
        before={"serial": certificate.serial, "person": certificate.person_name},
        after={"serial": copy.serial, "person": copy.person_name},
        reason=reason,
    )
    return copy


def find_by_token(token: str) -> Certificate | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.token == token))


def certificate_data(certificate: Certificate) -> CertificateData:
    return CertificateData(
        person_name=certificate.person_name,
        team_name=certificate.team_name,
        project_title=certificate.project_title,
        award_name=certificate.award_name,
        competition_name=certificate.competition.name,
        serial=certificate.serial,
        verify_url=external_url("certificates.verify", token=certificate.token),
        issued_on=certificate.issued_on,
    )


def render(certificate: Certificate) -> bytes:
    return render_certificate(layout_template(certificate.template), certificate_data(certificate))


def file_name(certificate: Certificate) -> str:
    """`QNG-2026-000123-nguyen-thi-hong-nhung.pdf`: ASCII, safe in any ZIP tool."""
    ascii_name = unicodedata.normalize("NFKD", certificate.person_name.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower()).strip("-")[:60]
    return f"{certificate.serial}-{slug or 'chung-nhan'}.pdf"


# -- batches -----------------------------------------------------------------------


def start_batch(competition: Competition, issued_on: date, user, *, in_thread: bool | None = None) -> CertificateBatch:
    """Issue what is missing, then render everything valid in a background thread."""
    # One batch's issuing at a time (a double click): the next waits, then finds these issued.
    db.session.execute(select(Competition.id).where(Competition.id == competition.id).with_for_update())
    templates = ensure_templates(competition)
    issue(templates[CertificateKind.participation], participation_recipients(competition), issued_on)
    issue(templates[CertificateKind.award], award_recipients(competition), issued_on)
    total = db.session.scalar(
        select(db.func.count())
        .select_from(Certificate)
        .where(Certificate.competition_id == competition.id, Certificate.revoked_at.is_(None))
    )
    batch = CertificateBatch(
        competition_id=competition.id,
        status=BatchStatus.queued,
        total=total,
        done=0,
        created_at=utcnow(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(batch)
    db.session.flush()
    if in_thread is None:
        in_thread = current_app.config.get("CERTIFICATE_BATCH_IN_THREAD", True)
    if in_thread:
        # The thread reads the batch and its certificates: start it once they are committed.
        app, batch_id = current_app._get_current_object(), batch.id  # type: ignore[attr-defined]  # the app, not the proxy
        after_commit(lambda: threading.Thread(target=_run_in_app, args=(app, batch_id), daemon=True).start())
    return batch


def _run_in_app(app, batch_id: int) -> None:
    with app.app_context(), app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
        run_batch(batch_id)


def valid_certificates(competition_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.competition_id == competition_id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.serial)
        )
    )


def run_batch(batch_id: int, progress_every: int = 20) -> CertificateBatch:
    """Render a committed batch. Background work (a thread, or a CLI command
    after committing the batch), so it owns its transactions: its progress is
    committed as it goes, for the organizers' page to show, and a failure is
    recorded on the batch (docs/architecture.md, exceptions to the rule)."""
    batch = db.session.get_one(CertificateBatch, batch_id)
    batch.status, batch.heartbeat_at = BatchStatus.running, utcnow()
    db.session.commit()
    try:
        certificates = valid_certificates(batch.competition_id)
        by_template: dict[int, list[Certificate]] = {}
        for certificate in certificates:
            by_template.setdefault(certificate.template_id, []).append(certificate)
        merged_parts, archive = [], io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for group in by_template.values():
                template = layout_template(group[0].template)
                for certificate in group:
                    zf.writestr(file_name(certificate), render_certificate(template, certificate_data(certificate)))
                    batch.done += 1
                    if batch.done % progress_every == 0:
                        batch.heartbeat_at = utcnow()
                        db.session.commit()
                merged_parts.append(render_certificates(template, [certificate_data(c) for c in group]))
        storage = get_storage()
        batch.merged_key = storage.save(_merge(merged_parts), suffix=".pdf")
        batch.zip_key = storage.save(archive.getvalue(), suffix=".zip")
        batch.status, batch.finished_at = BatchStatus.done, utcnow()
    except Exception as error:  # noqa: BLE001 - the organizer must see that the batch failed
        db.session.rollback()
        batch = db.session.get_one(CertificateBatch, batch_id)
        batch.status, batch.error, batch.finished_at = BatchStatus.failed, str(error)[:2000], utcnow()
    db.session.commit()
    return batch


# Twenty certificates take well under a second: a batch silent this long has lost its worker.
ABANDONED_AFTER = timedelta(minutes=3)


def reap_abandoned(competition_id: int, now: datetime | None = None) -> int:
    """Mark as failed the batches whose worker died (a restart or a deploy while
    they ran), so the organizer sees it and starts another instead of waiting."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(CertificateBatch).where(
            CertificateBatch.competition_id == competition_id,
            CertificateBatch.status.in_([BatchStatus.queued, BatchStatus.running]),
            func.coalesce(CertificateBatch.heartbeat_at, CertificateBatch.created_at) < now - ABANDONED_AFTER,
        )
    ).all()
    for batch in stale:
        batch.status, batch.finished_at = BatchStatus.failed, now
        batch.error = _("Interrupted: the server stopped while the batch ran. Generate the certificates again.")
    return len(stale)


def _merge(parts: list[bytes]) -> bytes:
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def team_certificates(team_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.team_id == team_id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.serial)
        )
    )


@dataclass(frozen=True)
class Mailing:
    queued: int  # certificates put in the outbox now
    already: int  # certificates mailed (or queued) before: not sent again


def mailed_serials(competition_id: int) -> set[str]:
    """The serials of the competition's certificates already mailed (or queued), as the audit
    log recorded them: each "certificate.mailed" event names the certificates it queued."""
    recorded = db.session.scalars(
        select(AuditEvent.after).where(
            AuditEvent.object_type == "competition",
            AuditEvent.object_id == str(competition_id),
            AuditEvent.action == "certificate.mailed",
        )
    )
    return {serial for after in recorded for serial in (after or {}).get("serials", [])}


def mail_certificates(competition: Competition) -> Mailing:
    """Mail each holder who has an address their certificate as a PDF attachment, once:
    a certificate mailed before is not sent again (a second click); a reissued one, being a
    new certificate, is. The mail waits in the outbox, so an SMTP outage loses nothing."""
    from contest.domain.outbox import queue_mail
    from contest.models import Member

    # One mailing at a time (a double click): the next waits, then finds these mailed.
    db.session.execute(select(Competition.id).where(Competition.id == competition.id).with_for_update(key_share=True))
    mailed = mailed_serials(competition.id)
    storage = get_storage()
    queued: list[str] = []
    already = 0
    by_template: dict[int, CertificateTemplate] = {}
    for certificate in valid_certificates(competition.id):
        member = db.session.get(Member, certificate.member_id) if certificate.member_id else None
        if member is None:
            continue
        address = member.email or (member.user.email if member.user_id else None)
        if not address:
            continue
        if certificate.serial in mailed:
            already += 1
            continue
        template = by_template.setdefault(certificate.template_id, layout_template(certificate.template))
        key = storage.save(render_certificate(template, certificate_data(certificate)), suffix=".pdf")
        queue_mail(
            address,
            "certificate",
            locale=member.user.locale if member.user_id else "vi",
            certificate=certificate,
            competition=competition,
            verify_url=external_url("certificates.verify", token=certificate.token),
            attachments=[{"key": key, "filename": file_name(certificate), "content_type": "application/pdf"}],
        )
        queued.append(certificate.serial)
    audit.record(
        "certificate.mailed",
        "competition",
        competition.id,
        competition_id=competition.id,
        after={"mails": len(queued), "serials": queued},
    )
    return Mailing(queued=len(queued), already=already)


IMAGE_SLOTS = ("logo_key", "signature_key", "seal_key")


def set_template_image(record: CertificateTemplateRecord, slot: str, filename: str, data: bytes) -> None:
    """A logo, scanned signature or seal (PNG, JPEG or WebP), checked by content."""
    from contest.domain.attachments import explain_upload
    from contest.domain.uploads import validate_upload

    if slot not in IMAGE_SLOTS:
        raise ValueError(slot)
    check = validate_upload(filename, data, "image")
    if not check.ok:
        raise DomainError(explain_upload(check), field=slot, code=check.error_code)
    before = getattr(record, slot)
    setattr(record, slot, get_storage().save(data, suffix=f".{check.detected}"))
    try:
        layout_template(record)
    except Exception:  # noqa: BLE001 - the picture decodes badly: refuse, keep the old one
        setattr(record, slot, before)
        raise DomainError(_("This picture cannot be used on the certificate."), field=slot) from None
    audit.record(
        "certificate.template_image",
        "certificate_template",
        record.id,
        competition_id=record.competition_id,
        before={slot: before},
        after={slot: getattr(record, slot)},
    )


def clear_template_image(record: CertificateTemplateRecord, slot: str) -> None:
    if slot not in IMAGE_SLOTS:
        raise ValueError(slot)
    audit.record(
        "certificate.template_image",
        "certificate_template",
        record.id,
        competition_id=record.competition_id,
        before={slot: getattr(record, slot)},
        after={slot: None},
    )
    setattr(record, slot, None)
