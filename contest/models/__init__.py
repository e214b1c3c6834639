"""All of `contest`'s tables, imported here so Alembic and the app see them."""

from contest.models.accounts import LoginSession, PlatformRole, SessionEnd, User
from contest.models.audit import AuditEvent
from contest.models.base import Base
from contest.models.certificates import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateTemplateRecord,
)
from contest.models.competitions import (
    Board,
    Competition,
    CompetitionCoOrganiser,
    CompetitionLevel,
    CompetitionRole,
    CompetitionRoleKind,
    CompetitionState,
    Field,
    TimelineItem,
)
from contest.models.entries import (
    Attachment,
    AttachmentKind,
    Entry,
    EntryPersonSlot,
    EntryStage,
    EntryStatus,
    EntryValidity,
    EntryVersion,
)
from contest.models.orgunits import (
    OrgUnit,
    OrgUnitKind,
    OrgUnitSuccession,
    UnitOfficer,
    UnitOfficerRole,
)
from contest.models.outbox import OutboxMessage, OutboxStatus
from contest.models.projects import (
    Enterprise,
    Nomination,
    NominationQuota,
    NominationState,
    Project,
)
from contest.models.reporting import (
    Activity,
    ActivityKind,
    CycleUnit,
    Plan,
    PlanTask,
    ProvinceReport,
    ReportKind,
    ReportReminder,
    ReportState,
    TimingKind,
    UnitReport,
    UnitReportVersion,
)
from contest.models.reports import (
    FollowUpInvitation,
    OutcomeKind,
    PlanFigure,
    PlanIndicator,
    PlanTarget,
    ProjectOutcome,
)
from contest.models.teams import Gender, Member, Team, TeamInvitation

__all__ = [
    "Activity", "ActivityKind", "CycleUnit", "Plan", "PlanTask", "ProvinceReport", "ReportKind",
    "ReportReminder", "ReportState", "TimingKind", "UnitReport", "UnitReportVersion",
    "Enterprise", "Nomination", "NominationQuota", "NominationState", "Project",
    "LoginSession", "SessionEnd",
    "FollowUpInvitation", "OutcomeKind", "PlanFigure", "PlanIndicator", "PlanTarget", "ProjectOutcome",
    "BatchStatus", "Certificate", "CertificateBatch", "CertificateKind", "CertificateTemplateRecord",
    "Attachment",
    "AttachmentKind",
    "AuditEvent",
    "Base",
    "Board",
    "Competition",
    "CompetitionCoOrganiser",
    "CompetitionLevel",
    "CompetitionRole",
    "CompetitionRoleKind",
    "CompetitionState",
    "Entry",
    "EntryPersonSlot",
    "EntryStage",
    "EntryStatus",
    "EntryValidity",
    "EntryVersion",
    "Field",
    "Gender",
    "Member",
    "Team",
    "TeamInvitation",
    "TimelineItem",
    "OrgUnit",
    "OrgUnitKind",
    "OrgUnitSuccession",
    "UnitOfficer",
    "UnitOfficerRole",
    "OutboxMessage",
    "OutboxStatus",
    "PlatformRole",
    "User",
]
