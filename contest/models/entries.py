"""Entries (hồ sơ dự thi), their submitted versions and attachments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow


class EntryStage(enum.Enum):
    idea = "idea"
    prototype = "prototype"
    on_market = "on_market"
    registered_company = "registered_company"


class EntryStatus(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"


class EntryValidity(enum.Enum):
    unchecked = "unchecked"
    valid = "valid"
    invalid = "invalid"


class MediaType(enum.Enum):
    """A press work's medium (the media award)."""

    print = "print"
    online = "online"
    radio = "radio"
    television = "television"
    social = "social"


class AttachmentKind(enum.Enum):
    pitch_deck = "pitch_deck"
    description = "description"
    image = "image"


class Entry(TimestampMixin, Base):
    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # One entry per team, held by the database.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, unique=True)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), nullable=True)
    field_id: Mapped[int | None] = mapped_column(ForeignKey("fields.id", ondelete="RESTRICT"), nullable=True)

    # Text lengths are kept here, once: String(n)'s length, or info["max_length"] for
    # Text (see contest.models.base.max_length); the form and the domain read them.
    title: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 2000})
    problem: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 5000})
    solution: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 5000})
    customers_market: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 5000})
    business_model: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 5000})
    stage: Mapped[EntryStage | None] = mapped_column(enum_column(EntryStage, "entry_stage"), nullable=True)
    company_registered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    funding_needed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # đồng
    # A women-owned business in the SME support law's sense (Luật Hỗ trợ DNNVV 2017, art. 3):
    # women own at least 51 % of the charter capital AND at least one of them manages it.
    # Asked as the two facts in women's contests; None = not given.
    women_own_majority: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    woman_manages: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    team_strengths: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 3000})
    video_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    website_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    gallery_opt_in: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A press work (the media award): its medium, the outlet that published it, when, and where to read it.
    media_type: Mapped[MediaType | None] = mapped_column(enum_column(MediaType, "media_type"), nullable=True)
    outlet: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    work_url: Mapped[str | None] = mapped_column(String(500), nullable=True)

    status: Mapped[EntryStatus] = mapped_column(
        enum_column(EntryStatus, "entry_status"), nullable=False, default=EntryStatus.draft
    )
    validity: Mapped[EntryValidity] = mapped_column(
        enum_column(EntryValidity, "entry_validity"), nullable=False, default=EntryValidity.unchecked
    )
    validity_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Nominated from a lower-level competition: the entry it was copied from.
    origin_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)
    # The startup project this entry is a participation of (contest.models.projects):
    # set for every entry; a new entry without one gets its own project on flush.
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), nullable=False, index=True)

    competition = relationship("Competition")
    team = relationship("Team", back_populates="entry")
    board = relationship("Board")
    field = relationship("Field")
    origin = relationship("Entry", remote_side=[id])
    project = relationship("Project", back_populates="entries")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    versions: Mapped[list[EntryVersion]] = relationship(order_by="EntryVersion.number", cascade="all, delete-orphan")

    def current_attachments(self, kind: AttachmentKind | None = None) -> list[Attachment]:
        return [a for a in self.attachments if a.replaced_at is None and (kind is None or a.kind is kind)]

    def earlier_attachments(self) -> list[Attachment]:
        """Replaced or removed files, newest first; their contents may have been purged."""
        return sorted(
            (a for a in self.attachments if a.replaced_at is not None),
            key=lambda a: (a.replaced_at, a.id),
            reverse=True,
        )


class EntryVersion(Base):
    """A frozen copy of what the team submitted; every submission adds one."""

    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind, "attachment_kind"), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    # Indexed: before a purged file is deleted, other rows that share it are looked up.
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # Replaced (or removed) files stay: earlier submitted versions still point at them.
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When a replaced file's contents were deleted (after the retention period, or
    # at the organizers' request). The row stays: name, size and SHA-256 are the record.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class EntryPersonSlot(Base):
    """One row per (person, submitted entry). Slot numbers run 1..limit and are
    unique per person and competition, so the "entries per person" limit holds
    in the database even when two teams submit at the same moment."""

    __tablename__ = "entry_person_slots"
    __table_args__ = (
        UniqueConstraint("competition_id", "person_key", "slot"),
        UniqueConstraint("entry_id", "person_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    person_key: Mapped[str] = mapped_column(String(300), nullable=False)
    slot: Mapped[int] = mapped_column(Integer, nullable=False)
