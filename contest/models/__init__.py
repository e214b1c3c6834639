"""All of `contest`'s tables, imported here so Alembic and the app see them."""

from contest.models.accounts import PlatformRole, User
from contest.models.audit import AuditEvent
from contest.models.base import Base
from contest.models.orgunits import OrgUnit, OrgUnitKind
from contest.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "AuditEvent",
    "Base",
    "OrgUnit",
    "OrgUnitKind",
    "OutboxMessage",
    "OutboxStatus",
    "PlatformRole",
    "User",
]
