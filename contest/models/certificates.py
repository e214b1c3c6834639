"""Certificates (giấy chứng nhận): per-competition templates, issued
certificates with a serial and an unguessable verification token, and the
batches that generate them in the background."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column


class CertificateKind(enum.Enum):
    award = "award"  # giấy chứng nhận đạt giải, giấy khen
    participation = "participation"  # giấy chứng nhận tham gia


class BatchStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class CertificateTemplateRecord(TimestampMixin, Base):
    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "certificate_kind", 16), nullable=False)
    # One certificate for the team instead of one per member.
    per_team: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    kind_title: Mapped[str] = mapped_column(String(120), nullable=False)
    issuer_lines: Mapped[str] = mapped_column(Text, nullable=False)
    motto_lines: Mapped[str] = mapped_column(Text, nullable=False)
    wording: Mapped[str] = mapped_column(Text, nullable=False)
    place: Mapped[str] = mapped_column(String(120), nullable=False)
    signer_title_lines: Mapped[str] = mapped_column(Text, nullable=False)
    signer_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    logo_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signature_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    seal_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    border_style: Mapped[str] = mapped_column(String(16), nullable=False, default="double")
    orientation: Mapped[str] = mapped_column(String(16), nullable=False, default="landscape")


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    # 32 random bytes, URL-safe: the QR code's link. Serials are guessable, tokens are not.
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    template_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_templates.id", ondelete="RESTRICT"), nullable=False
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", ondelete="SET NULL"), nullable=True, index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True)
    person_name: Mapped[str] = mapped_column(String(200), nullable=False)
    team_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    project_title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    award_name: Mapped[str] = mapped_column(String(200), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), nullable=True
    )

    template: Mapped[CertificateTemplateRecord] = relationship()
    competition = relationship("Competition")

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CertificateBatch(Base):
    __tablename__ = "certificate_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus, "batch_status", 16), nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    merged_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    zip_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Moved on at every progress step: a batch whose worker died (restart, deploy) stops moving.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
