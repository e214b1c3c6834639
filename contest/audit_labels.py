"""The audit log as people read it: a label for each action and each recorded
field, and a stored value written out ("Có", "17:00 06/12/2026", "a, b") instead
of JSON. The log keeps the machine values; only the page translates them.

Packages built on `contest` add the labels of their own actions with
`add_action_labels(app, {...})` (judging does, in its init_app)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.i18n import format_day, format_moment

ACTION_LABELS = {
    "account.admin_removed": _l("Administrator role removed"),
    "account.deactivated": _l("Account deactivated"),
    "account.logged_out_everywhere": _l("Signed out on every device"),
    "account.made_admin": _l("Made an administrator"),
    "account.password_changed": _l("Password changed"),
    "account.password_reset": _l("Password reset"),
    "account.reactivated": _l("Account reactivated"),
    "account.verified": _l("E-mail address verified"),
    "activity.recorded": _l("Activity recorded"),
    "activity.removed": _l("Activity removed"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.mailed": _l("Certificate mailed"),
    "certificate.reissued": _l("Certificate reissued"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificate.template": _l("Certificate template changed"),
    "certificate.template_image": _l("Certificate image changed"),
    "competition.created": _l("Competition created"),
    "competition.role_granted": _l("Role granted"),
    "competition.role_revoked": _l("Role revoked"),
    "competition.settings": _l("Competition settings changed"),
    "competition.state": _l("Competition state changed"),
    "certification.recorded": _l("Adviser certification recorded"),
    "certification.removed": _l("Adviser certification removed"),
    "enterprise.corrected": _l("Enterprise corrected from the records that remain"),
    "enterprise.linked": _l("Enterprise linked"),
    "enterprise.recorded": _l("Enterprise recorded"),
    "enterprise.removed": _l("Enterprise removed"),
    "entry.files_purged": _l("Earlier files deleted"),
    "entry.project_chosen": _l("Project chosen for the entry"),
    "entry.submitted": _l("Entry submitted"),
    "entry.validity": _l("Entry checked (valid or not)"),
    "entry.withdrawn": _l("Entry withdrawn"),
    "expert.added": _l("Expert added to the registry"),
    "expert.conflict_declared": _l("Expert declared a conflict of interest"),
    "expert.conflict_ended": _l("Expert's declared conflict of interest ended"),
    "expert.consent_given": _l("Expert gave consent"),
    "expert.consent_withdrawn": _l("Expert withdrew consent"),
    "expert.updated": _l("Expert's record changed"),
    "experts.exported": _l("Expert registry exported"),
    "followup.deleted": _l("Follow-up deleted"),
    "followup.recorded": _l("Follow-up recorded"),
    "followup.team_invited": _l("Team invited to report its follow-up"),
    "mentoring.session_logged": _l("Mentoring session logged"),
    "mentorship.assigned": _l("Mentor assigned to a project"),
    "nomination.accepted": _l("Nomination accepted"),
    "nomination.declined": _l("Nomination declined"),
    "nomination.proposed": _l("Nomination proposed"),
    "nomination.quota": _l("Nomination quota set"),
    "nomination.withdrawn": _l("Nomination withdrawn"),
    "orgunit.saved": _l("Unit saved"),
    "orgunits.imported": _l("Units imported"),
    "plan.figure_set": _l("Plan figure set"),
    "plan.loaded": _l("Plan loaded"),
    "plan.target_set": _l("Plan target set"),
    "province_report.consolidated": _l("Province's report consolidated"),
    "team.created": _l("Team created"),
    "reporting.expected_units": _l("Units expected to report chosen"),
    "team.invited": _l("Member invited"),
    "team.joined": _l("Member joined"),
    "team.leader_changed": _l("Team leader changed"),
    "team.member_added": _l("Member added"),
    "team.member_removed": _l("Member removed"),
    "unit_officer.appointed": _l("Unit officer appointed"),
    "unit_officer.ended": _l("Unit officer's term ended"),
    "unit_report.corrected": _l("Unit report corrected"),
    "unit_report.returned": _l("Unit report returned for changes"),
    "unit_report.submitted": _l("Unit report submitted"),
}

# The fields most often recorded; any other is shown by its key, spaced.
FIELD_LABELS = {
    "active": _l("Active"),
    "award": _l("Award"),
    "code": _l("Code"),
    "comment": _l("Comment"),
    "count": _l("Count"),
    "email": _l("E-mail"),
    "entry": _l("Entry"),
    "judge": _l("Judge"),
    "judge_ids": _l("Judges (record numbers)"),
    "kind": _l("Kind"),
    "name": _l("Name"),
    "network": _l("Network"),
    "note": _l("Note"),
    "occurred_on": _l("Date"),
    "participants": _l("Participants"),
    "publish_at": _l("Publication time"),
    "reason": _l("Reason"),
    "role": _l("Role"),
    "round": _l("Round"),
    "school": _l("School"),
    "rubric": _l("Rubric"),
    "serial": _l("Serial"),
    "serials": _l("Serials"),
    "state": _l("State"),
    "status": _l("Status"),
    "submitted_at": _l("Submitted at"),
    "task": _l("Task of the plan"),
    "tier": _l("Award"),
    "title": _l("Title"),
    "trusted_networks": _l("Hall networks"),
    "unit": _l("Unit"),
    "user": _l("Account"),
    "valid": _l("Valid"),
    "validity": _l("Check"),
    "value": _l("Value"),
    "version": _l("Version"),
    "year": _l("Year"),
}

# Stored state values people read often.
VALUE_LABELS = {
    "valid": _l("Valid"),
    "invalid": _l("Not valid"),
    "unchecked": _l("Not checked"),
}

_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def init_app(app: Flask) -> None:
    app.extensions["audit_labels"] = dict(ACTION_LABELS)


def add_action_labels(app: Flask, labels: dict[str, Any]) -> None:
    app.extensions.setdefault("audit_labels", {}).update(labels)


def action_label(action: str) -> str:
    label = current_app.extensions.get("audit_labels", {}).get(action)
    return str(label) if label is not None else action


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def value_text(value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items()) or "—"
    text = str(value)
    if text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    try:
        if _ISO_MOMENT.match(text):
            return format_moment(datetime.fromisoformat(text))
        if _ISO_DAY.match(text):
            return format_day(date.fromisoformat(text))
    except ValueError:
        pass
    return text


def readable(values: Any) -> list[tuple[str, str]]:
    """A recorded before/after as (label, value) pairs, in the recorded order."""
    if not values:
        return []
    if not isinstance(values, dict):  # an older event may hold a list or a plain value
        return [("", value_text(values))]
    return [(field_label(str(key)), value_text(value)) for key, value in values.items()]
