"""What the yearly report needs beyond the contests themselves: what became of
each project afterwards (follow-up), the plan's targets per period, and the
figures that are only known by hand (certified startup advisers)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, UTCDateTime, enum_column


class OutcomeKind(enum.Enum):
    incubated = "incubated"  # ươm tạo tại ...
    enterprise_registered = "enterprise_registered"  # thành lập doanh nghiệp
    capital_raised = "capital_raised"  # gọi vốn
    product_certified = "product_certified"  # OCOP, VietGAP, ...
    jobs_created = "jobs_created"


class PlanIndicator(enum.Enum):
    projects_supported = "projects_supported"
    enterprises_formed = "enterprises_formed"
    projects_raising_capital = "projects_raising_capital"
    certified_advisers = "certified_advisers"
    support_organisations = "support_organisations"
    service_areas = "service_areas"


class ProjectOutcome(Base):
    """One dated fact about a project after its contest, with where it is known from."""

    __tablename__ = "project_outcomes"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        CheckConstraint("jobs IS NULL OR jobs >= 0", name="jobs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind, "outcome_kind", 32), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    # Incubator, enterprise name, investor, certification (OCOP 3 sao...): what the kind needs.
    detail: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    registration_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # đồng
    jobs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(300), nullable=False)  # how this is known
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Recorded by the team on its invited follow-up page: the team may remove
    # only these; what organizers recorded stays theirs.
    by_team: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    entry = relationship("Entry")
    recorded_by = relationship("User")


class FollowUpInvitation(Base):
    """An organizer asked the team to report what became of its project."""

    __tablename__ = "follow_up_invitations"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class PlanTarget(Base):
    """A target of the province's plan for a period, a range as the plan states it (100–120)."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "start_year", "indicator"),
        CheckConstraint("start_year <= end_year", name="period_ordered"),
        CheckConstraint("0 <= low AND low <= high", name="range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan the target belongs to: Decision 827's targets never mix with a later plan's.
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True)
    start_year: Mapped[int] = mapped_column(Integer, nullable=False)
    end_year: Mapped[int] = mapped_column(Integer, nullable=False)
    indicator: Mapped[PlanIndicator] = mapped_column(enum_column(PlanIndicator, "plan_indicator", 32), nullable=False)
    low: Mapped[int] = mapped_column(Integer, nullable=False)
    high: Mapped[int] = mapped_column(Integer, nullable=False)

    plan = relationship("Plan")


class PlanFigure(Base):
    """A yearly figure entered by hand, for indicators the contests do not record."""

    __tablename__ = "plan_figures"
    __table_args__ = (UniqueConstraint("year", "indicator"), CheckConstraint("value >= 0", name="value_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    indicator: Mapped[PlanIndicator] = mapped_column(enum_column(PlanIndicator, "plan_indicator", 32), nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # The document the figure is taken from (a unit's report, a decision): a figure nobody can trace is not shown.
    source_document: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
