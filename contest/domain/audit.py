"""Writing the audit log. Callers pass plain dicts of the fields that matter."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from contest.extensions import db
from contest.models import AuditEvent
from contest.models.base import utcnow


def _actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record(
    action: str,
    obj_type: str,
    obj_id: Any = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    competition_id: int | None = None,
    actor_id: int | None = None,
    device: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change)."""
    event = AuditEvent(**_values(action, obj_type, obj_id, before, after, reason, competition_id, actor_id, device))
    db.session.add(event)
    return event


def values_now(
    action: str,
    obj_type: str,
    obj_id: Any = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    competition_id: int | None = None,
    actor_id: int | None = None,
    device: str | None = None,
) -> dict:
    """An audit event's column values, for hot paths that write it in a
    statement of their own making (a score save on PostgreSQL)."""
    return {
        "at": utcnow(),
        **_values(action, obj_type, obj_id, before, after, reason, competition_id, actor_id, device),
    }


def _values(action, obj_type, obj_id, before, after, reason, competition_id, actor_id, device) -> dict:
    return {
        "action": action,
        "object_type": obj_type,
        "object_id": None if obj_id is None else str(obj_id),
        "before": before,
        "after": after,
        "reason": reason,
        "competition_id": competition_id,
        "actor_id": actor_id if actor_id is not None else _actor_id(),
        "device": device,
        "ip": request.remote_addr if has_request_context() else None,
    }
