"""The plan's yearly cycle: the plan and its tasks as data, what units did
(activities), their yearly plans and results reports with their submitted
versions, the reminders sent before each deadline, and the Department's
consolidated report."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from contest.models.orgunits import OrgUnit


class TimingKind(enum.Enum):
    yearly = "yearly"
    once = "once"  # in a year or a span of years
    from_year = "from"  # every year from a year on
    as_needed = "as_needed"  # as circumstances (or the Ministry's plan) require


class ActivityKind(enum.Enum):
    forum = "forum"
    training = "training"
    workshop = "workshop"
    exhibition = "exhibition"
    techfest = "techfest"
    club = "club"  # startup club formed
    coworking = "coworking"
    support_organisation = "support_organisation"
    service_area = "service_area"  # concentrated service area
    incubation = "incubation"
    mentoring = "mentoring"
    fund_decision = "fund_decision"


class ReportKind(enum.Enum):
    plan = "plan"  # a unit's detailed plan for the year (due 30/10 of the year before)
    results = "results"  # a unit's results for the year (due 10/12)


class ReportState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"  # sent back by the Department with comments


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)  # 827/QĐ-UBND
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issuer: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    start_year: Mapped[int] = mapped_column(Integer, nullable=False)
    end_year: Mapped[int] = mapped_column(Integer, nullable=False)

    tasks: Mapped[list[PlanTask]] = relationship(back_populates="plan", order_by="PlanTask.position")


class PlanTask(Base):
    __tablename__ = "plan_tasks"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(10), nullable=False)  # "1.6"
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # [{"name": "Tỉnh Đoàn", "unit": "QNG-DOAN"}]: a unit's code, "@localities", "@schools" or null.
    leads: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    coordinating: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    timing_kind: Mapped[TimingKind] = mapped_column(enum_column(TimingKind, "timing_kind", 16), nullable=False)
    timing_text: Mapped[str] = mapped_column(String(200), nullable=False)
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minimum_per_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    indicators: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    plan: Mapped[Plan] = relationship(back_populates="tasks")


class Activity(Base):
    """Something a unit did for the plan, dated, with its evidence and the task it serves."""

    __tablename__ = "activities"
    __table_args__ = (CheckConstraint("participants IS NULL OR participants >= 0", name="participants_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=False, index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_tasks.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind", 32), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    participants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    evidence_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # A startup project the activity incubated or mentored (an entry of a contest).
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)
    # A startup club's school (a unit of kind school): Đề án 1665's student clubs, counted by school.
    # RESTRICT: a school that holds clubs is ended (valid_to), not deleted.
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    task: Mapped[PlanTask | None] = relationship()
    school: Mapped[OrgUnit | None] = relationship(foreign_keys=[school_id])


class CycleUnit(Base):
    """A unit expected to send its plan and results for a year."""

    __tablename__ = "cycle_units"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True)


class UnitReport(Base):
    """A unit's plan or results for a year. `content` holds its task lines and the
    figures it vouches for; once submitted it changes only by a correction with a reason."""

    __tablename__ = "unit_reports"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "kind"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, "report_kind", 16), nullable=False)
    state: Mapped[ReportState] = mapped_column(
        enum_column(ReportState, "report_state", 16), nullable=False, default=ReportState.draft
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    content: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the Department's, on return
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    unit = relationship("OrgUnit")
    versions: Mapped[list[UnitReportVersion]] = relationship(order_by="UnitReportVersion.version")


class UnitReportVersion(Base):
    __tablename__ = "unit_report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("unit_reports.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # a correction's
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class ReportReminder(Base):
    """A reminder queued for a unit before a deadline: one per unit, deadline and
    threshold (days before), however often the reminder job runs."""

    __tablename__ = "report_reminders"
    __table_args__ = (UniqueConstraint("unit_id", "year", "kind", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, "report_kind", 16), nullable=False)
    days_before: Mapped[int] = mapped_column(Integer, nullable=False)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ProvinceReport(Base):
    """The Department's consolidation of the units' results for a year."""

    __tablename__ = "province_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    consolidated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    consolidated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
