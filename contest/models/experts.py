"""The province's network of experts (mạng lưới chuyên gia, cố vấn, huấn luyện
viên khởi nghiệp): people with or without an account, their fields and roles,
certifications, consent to be listed, conflicts of interest they declared, and
the projects they mentor. Judging links its judges to these people."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow


class ExpertRole(enum.Enum):
    judge = "judge"
    mentor = "mentor"
    adviser = "adviser"
    trainer = "trainer"
    investor = "investor"


class ConflictKind(enum.Enum):
    company = "company"
    school = "school"
    relative_project = "relative_project"
    other = "other"


# What the public directory may show besides the name, when the expert chose it.
PUBLIC_FIELDS = ("organisation", "fields", "photo", "bio")


class Expert(TimestampMixin, Base):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Contact details: officers (and the expert) only.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    bio: Mapped[str] = mapped_column(Text, nullable=False, default="", info={"max_length": 2000})
    photo_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    available: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Consent to be listed in the public directory, and which of PUBLIC_FIELDS it shows.
    consent_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    public_fields: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    user = relationship("User", foreign_keys=[user_id])
    org_unit = relationship("OrgUnit")
    fields: Mapped[list[ExpertField]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="ExpertField.name"
    )
    roles: Mapped[list[ExpertRoleGrant]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="ExpertRoleGrant.role"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="Certification.issued_on"
    )
    conflicts: Mapped[list[DeclaredConflict]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="DeclaredConflict.declared_on"
    )

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def role_values(self) -> list[str]:
        return [r.role.value for r in self.roles]

    def shows(self, what: str) -> bool:
        return self.consent_public and what in (self.public_fields or [])


class ExpertField(Base):
    """A field of expertise, by the names competitions give their fields (lĩnh vực)."""

    __tablename__ = "expert_fields"
    __table_args__ = (UniqueConstraint("expert_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    expert: Mapped[Expert] = relationship(back_populates="fields")


class ExpertRoleGrant(Base):
    __tablename__ = "expert_roles"
    __table_args__ = (UniqueConstraint("expert_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[ExpertRole] = mapped_column(enum_column(ExpertRole, "expert_role"), nullable=False)

    expert: Mapped[Expert] = relationship(back_populates="roles")


class Certification(Base):
    """A certificate an expert holds (a startup-adviser course, a coaching
    programme): valid in a year when issued by its end and not expired before its start."""

    __tablename__ = "certifications"
    __table_args__ = (CheckConstraint("expires_on IS NULL OR expires_on >= issued_on", name="valid_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    programme: Mapped[str] = mapped_column(String(300), nullable=False)
    issuer: Mapped[str] = mapped_column(String(300), nullable=False)
    number: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    scan_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    scan_name: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    scan_content_type: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="certifications")

    def valid_in(self, year: int) -> bool:
        return self.issued_on <= date(year, 12, 31) and (self.expires_on is None or self.expires_on >= date(year, 1, 1))


class DeclaredConflict(Base):
    """A conflict of interest the person declared once (a company, a school, a
    relative's project): proposed again in every contest whose entries it touches."""

    __tablename__ = "declared_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[ConflictKind] = mapped_column(enum_column(ConflictKind, "declared_conflict_kind"), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    registration_number: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    detail: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    declared_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    expert: Mapped[Expert] = relationship(back_populates="conflicts")


class Mentorship(Base):
    """An expert mentors a project for a period."""

    __tablename__ = "mentorships"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="valid_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    # The unit whose programme the mentoring belongs to (its yearly results count it).
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="SET NULL"), nullable=True, index=True
    )
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    expert: Mapped[Expert] = relationship()
    project = relationship("Project")
    org_unit = relationship("OrgUnit")
    sessions: Mapped[list[MentoringSession]] = relationship(
        back_populates="mentorship", cascade="all, delete-orphan", order_by="MentoringSession.held_on"
    )


class MentoringSession(Base):
    __tablename__ = "mentoring_sessions"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), nullable=False, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    topic: Mapped[str] = mapped_column(String(300), nullable=False)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    mentorship: Mapped[Mentorship] = relationship(back_populates="sessions")
