"""Organising units as data: the administrative tree changes (the 2025 reform
abolished districts and merged provinces), so units carry validity dates and a
successor link instead of being hard-coded."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin


class OrgUnitKind(enum.Enum):
    province = "province"
    city = "city"
    town = "town"
    district = "district"
    commune = "commune"
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
    successor_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="SET NULL"), nullable=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    parent: Mapped[OrgUnit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[OrgUnit]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="OrgUnit.code"
    )
    successor: Mapped[OrgUnit | None] = relationship(remote_side=[id], foreign_keys=[successor_id])

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"
