"""Organising units as data: the administrative tree changes (the 2025 reform
abolished districts and merged provinces), so units carry validity dates and
dated succession links instead of being hard-coded. A link is many-to-many: a
district split among several new communes has several successors, communes
merged into one give it several predecessors.

Unit officers (cán bộ đầu mối, lãnh đạo đơn vị) hold a dated role in one unit;
what that lets them do is in contest.domain.unit_officers."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column


class OrgUnitKind(enum.Enum):
    province = "province"
    city = "city"
    town = "town"
    district = "district"
    commune = "commune"
    ward = "ward"  # phường (from 1 July 2025 a commune-level unit)
    special_zone = "special_zone"  # đặc khu (Đặc khu Lý Sơn)
    youth_union = "youth_union"
    womens_union = "womens_union"
    department = "department"
    school = "school"
    other = "other"


class OrgUnit(TimestampMixin, Base):
    __tablename__ = "org_units"
    __table_args__ = (
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
            name="valid_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[OrgUnitKind] = mapped_column(
        Enum(OrgUnitKind, name="org_unit_kind", native_enum=False, length=16), nullable=False
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], foreign_keys=[parent_id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="OrgUnit.code"
    )
    successor_links: Mapped[list[OrgUnitSuccession]] = relationship(
        foreign_keys="OrgUnitSuccession.predecessor_id",
        back_populates="predecessor",
        cascade="all, delete-orphan",
        order_by="OrgUnitSuccession.id",
    )
    predecessor_links: Mapped[list[OrgUnitSuccession]] = relationship(
        foreign_keys="OrgUnitSuccession.successor_id",
        back_populates="successor",
        cascade="all, delete-orphan",
        order_by="OrgUnitSuccession.id",
    )

    @property
    def successors(self) -> list[OrgUnit]:
        return [link.successor for link in self.successor_links]

    @property
    def predecessors(self) -> list[OrgUnit]:
        return [link.predecessor for link in self.predecessor_links]

    @property
    def successor(self) -> OrgUnit | None:
        """The one unit that took it over whole; None when there is none, or
        several (a district split among communes: use `successors`)."""
        links = self.successor_links
        return links[0].successor if len(links) == 1 else None

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def is_valid_between(self, first: date, last: date) -> bool:
        """Valid on every day from `first` to `last`."""
        return (self.valid_from is None or self.valid_from <= first) and (
            self.valid_to is None or last <= self.valid_to
        )

    def overlaps(self, first: date, last: date) -> bool:
        """Valid on at least one day from `first` to `last`."""
        return (self.valid_from is None or self.valid_from <= last) and (
            self.valid_to is None or first <= self.valid_to
        )

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"


class OrgUnitSuccession(Base):
    """`successor` took over (part of) `predecessor` on `on`."""

    __tablename__ = "org_unit_successions"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id"),
        CheckConstraint("predecessor_id <> successor_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), nullable=False, index=True
    )
    successor_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), nullable=False, index=True
    )
    on: Mapped[date | None] = mapped_column(Date, nullable=True)

    predecessor: Mapped[OrgUnit] = relationship(foreign_keys=[predecessor_id], back_populates="successor_links")
    successor: Mapped[OrgUnit] = relationship(foreign_keys=[successor_id], back_populates="predecessor_links")


class UnitOfficerRole(enum.Enum):
    focal_point = "focal_point"  # cán bộ đầu mối
    leader = "leader"  # lãnh đạo đơn vị


class UnitOfficer(Base):
    """An account's dated role in an organising unit. Ending it (ended_at) keeps
    the row for the record; valid_to is the planned end."""

    __tablename__ = "unit_officers"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[UnitOfficerRole] = mapped_column(enum_column(UnitOfficerRole, "unit_officer_role"), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    org_unit: Mapped[OrgUnit] = relationship()
    user = relationship("User", foreign_keys=[user_id])

    def is_current(self, day: date) -> bool:
        return self.ended_at is None and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
