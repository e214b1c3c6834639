"""The audit log as people read it: a label for each action and each recorded
field, and a stored value written out ("Có", "17:00 06/12/2026", "a, b") instead
of JSON. The log keeps the machine values; only the page translates them.

Packages built on `contest` add the labels of their own actions with
`add_action_labels(app, {...})` (judging does, in its init_app)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Flask, current_app, has_app_context
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
    "entry.dossier_carried": _l("Dossier carried over from the nominated entry"),
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

# Every key the code records in before/after (a test checks, tests/contest/test_audit_labels.py).
# Judging adds those only it records with `add_field_labels` (judging/audit_labels.py).
FIELD_LABELS = {
    "active": _l("Active"),
    "age_max": _l("Maximum age"),
    "age_min": _l("Minimum age"),
    "amount": _l("Amount"),
    "available": _l("Available"),
    "award": _l("Award"),
    "bio": _l("Short biography"),
    "border_style": _l("Border style"),
    "budget": _l("Budget"),
    "by_team": _l("Recorded by the team"),
    "bytes": _l("Size (bytes)"),
    "code": _l("Code"),
    "comment": _l("Comment"),
    "competitions": _l("Competitions held"),
    "consent": _l("Consent"),
    "count": _l("Count"),
    "created": _l("Created"),
    "description": _l("Description"),
    "detail": _l("Details"),
    "email": _l("E-mail"),
    "end_year": _l("End year"),
    "ended_at": _l("Ended at"),
    "ended_on": _l("Ended on"),
    "entry": _l("Entry"),
    "events": _l("Events"),
    "expert": _l("Expert"),
    "expires_on": _l("Expires on"),
    "fields": _l("Fields of expertise"),
    "fields_carried": _l("Fields carried over"),
    "fields_kept": _l("Fields kept as the team typed them"),
    "files_carried": _l("Documents carried over"),
    "files_left": _l("Documents not carried over"),
    "figures": _l("Figures"),
    "files": _l("Files"),
    "founded_on": _l("Founded on"),
    "full_name": _l("Full name"),
    "funds": _l("Fund decisions"),
    "gallery_enabled": _l("Public gallery shown"),
    "held_on": _l("Held on"),
    "high": _l("Upper bound"),
    "hours": _l("Hours"),
    "ideas_only": _l("Ideas only"),
    "incubations": _l("Incubations"),
    "indicator": _l("Indicator"),
    "issued_on": _l("Issued on"),
    "issuer": _l("Issued by"),
    "issuer_lines": _l("Issuing body (lines)"),
    "jobs": _l("Jobs"),
    "judge": _l("Judge"),
    "judge_ids": _l("Judges (record numbers)"),
    "kind": _l("Kind"),
    "kind_title": _l("Certificate title"),
    "leader_id": _l("Team leader (account number)"),
    "lines": _l("Task lines"),
    "logo_key": _l("Logo"),
    "low": _l("Lower bound"),
    "mails": _l("E-mails queued"),
    "max_company_age_years": _l("Maximum company age (years)"),
    "max_entries_per_org": _l("Maximum entries per organisation"),
    "max_entries_per_person": _l("Maximum entries per person"),
    "member": _l("Team member"),
    "mentoring": _l("Mentoring given"),
    "mentoring_sessions": _l("Mentoring sessions"),
    "mentorship": _l("Mentorship (record number)"),
    "motto_lines": _l("Motto (lines)"),
    "origin_entry": _l("Nominated entry (record number)"),
    "name": _l("Name"),
    "network": _l("Network"),
    "note": _l("Note"),
    "number": _l("Number"),
    "occurred_on": _l("Date"),
    "org_unit_id": _l("Unit (record number)"),
    "organisation": _l("Organisation"),
    "orientation": _l("Orientation"),
    "parent": _l("Parent unit"),
    "participants": _l("Participants"),
    "per_team": _l("One certificate per team"),
    "person": _l("Person"),
    "phone": _l("Phone"),
    "place": _l("Place"),
    "plan": _l("Plan"),
    "platform_role": _l("Role on the platform"),
    "predecessors": _l("Predecessor units"),
    "preset": _l("Competition type"),
    "programme": _l("Programme"),
    "project": _l("Project (record number)"),
    "projects": _l("Startup projects supported"),
    "public_fields": _l("Fields shown publicly"),
    "publish_at": _l("Publication time"),
    "quota": _l("Quota"),
    "reason": _l("Reason"),
    "recorded": _l("Figures from the records"),
    "registration": _l("Registration number"),
    "registration_number": _l("Registration number"),
    "registration_opens_at": _l("Registration opens at"),
    "removed_by": _l("Removed by"),
    "restrict_to_unit": _l("Only teams of the unit"),
    "result": _l("Result"),
    "results": _l("Results"),
    "role": _l("Role"),
    "roles": _l("Roles"),
    "round": _l("Round"),
    "rows": _l("Rows"),
    "rubric": _l("Rubric"),
    "scan": _l("Scanned copy"),
    "school": _l("School"),
    "seal_key": _l("Seal"),
    "serial": _l("Serial"),
    "serials": _l("Serials"),
    "service_areas": _l("Concentrated service areas"),
    "sessions_ended": _l("Sessions ended"),
    "signature_key": _l("Signature"),
    "signer_name": _l("Signer's name"),
    "signer_title_lines": _l("Signer's title (lines)"),
    "source": _l("Source"),
    "source_document": _l("Source document"),
    "start_year": _l("Start year"),
    "starts_on": _l("Starts on"),
    "state": _l("State"),
    "status": _l("Status"),
    "submission_deadline": _l("Submission deadline"),
    "submitted_at": _l("Submitted at"),
    "successions_added": _l("Successions added"),
    "successors": _l("Successor units"),
    "support_organisations": _l("Support organisations"),
    "takes_youth_nominations": _l("Takes nominations from youth contests"),
    "target": _l("Upper contest"),
    "task": _l("Task of the plan"),
    "team_max": _l("Maximum team size"),
    "team_min": _l("Minimum team size"),
    "text": _l("Text"),
    "tier": _l("Award"),
    "title": _l("Title"),
    "trusted_networks": _l("Hall networks"),
    "unit": _l("Unit"),
    "unit_id": _l("Unit (record number)"),
    "units": _l("Units"),
    "updated": _l("Updated"),
    "user": _l("Account"),
    "valid": _l("Valid"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid to"),
    "validity": _l("Check"),
    "value": _l("Value"),
    "version": _l("Version"),
    "what": _l("What is done"),
    "when": _l("When"),
    "wording": _l("Wording"),
    "work_file_max_mb": _l("Largest file of a work (MB)"),
    "year": _l("Year"),
    "clubs": _l("Startup clubs"),
    "coworking": _l("Co-working spaces"),
}

# What an audit event is about (its object_type), shown with the record's number.
OBJECT_LABELS = {
    "activity": _l("Activity"),
    "award": _l("Award"),
    "award_tier": _l("Award tier"),
    "certificate": _l("Certificate"),
    "certificate_template": _l("Certificate template"),
    "certification": _l("Adviser certification"),
    "competition": _l("Competition"),
    "competition_role": _l("Role in a competition"),
    "conflict": _l("Conflict of interest"),
    "declared_conflict": _l("Declared conflict of interest"),
    "enterprise": _l("Enterprise"),
    "entry": _l("Entry"),
    "expert": _l("Expert"),
    "judge": _l("Judge"),
    "mentoring_session": _l("Mentoring session"),
    "mentorship": _l("Mentorship"),
    "nomination": _l("Nomination"),
    "org_unit": _l("Unit"),
    "plan": _l("Plan"),
    "plan_figure": _l("Plan figure"),
    "plan_target": _l("Plan target"),
    "project_outcome": _l("Project follow-up"),
    "province_report": _l("Province's report"),
    "publication": _l("Publication of results"),
    "reporting_cycle": _l("Reporting cycle"),
    "result_snapshot": _l("Results"),
    "round": _l("Round"),
    "rubric": _l("Rubric"),
    "score_sheet": _l("Score sheet"),
    "team": _l("Team"),
    "unit_officer": _l("Unit officer"),
    "unit_report": _l("Unit report"),
    "user": _l("Account"),
    "vote_campaign": _l("Audience vote"),
}

# Stored values whatever the field (the entry check's).
VALUE_LABELS = {
    "valid": _l("Valid"),
    "invalid": _l("Not valid"),
    "unchecked": _l("Not checked"),
}

_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _contest_value_labels() -> dict[tuple[str, str], Any]:
    """Enum values by (the action's object, field), with the labels the app shows them with elsewhere."""
    from contest.domain.competitions import PRESET_LABELS, STATE_LABELS
    from contest.domain.experts import CONFLICT_LABELS, PUBLIC_FIELD_LABELS
    from contest.domain.experts import ROLE_LABELS as EXPERT_ROLES
    from contest.domain.followup import OUTCOME_LABELS
    from contest.domain.reports import indicator_labels
    from contest.domain.unit_officers import ROLE_LABELS as OFFICER_ROLES
    from contest.forms.orgunits import KIND_LABELS
    from contest.forms.reporting import ACTIVITY_LABELS

    platform_roles = {"admin": _l("Administrator"), "user": _l("User")}
    return {
        ("account", "platform_role"): platform_roles,
        ("activity", "kind"): ACTIVITY_LABELS,
        ("competition", "preset"): PRESET_LABELS,
        ("competition", "role"): {"organizer": _l("Organizer"), "secretariat": _l("Secretariat")},
        ("competition", "state"): STATE_LABELS,
        ("entry", "status"): {"draft": _l("Draft"), "submitted": _l("Submitted"), "withdrawn": _l("Withdrawn")},
        ("expert", "kind"): CONFLICT_LABELS,
        ("expert", "public_fields"): PUBLIC_FIELD_LABELS,
        ("expert", "roles"): EXPERT_ROLES,
        ("followup", "kind"): OUTCOME_LABELS,
        ("followup", "removed_by"): {"team": _l("Team"), "organizers": _l("Organizers")},
        # The nominations page's words (contest/views/nominations.py).
        ("nomination", "state"): {
            "proposed": _l("Proposed"),
            "accepted": _l("Accepted into the upper contest"),
            "declined": _l("Declined"),
            "withdrawn": _l("Withdrawn"),
        },
        ("orgunit", "kind"): KIND_LABELS,
        ("plan", "indicator"): indicator_labels,
        ("unit_officer", "role"): OFFICER_ROLES,
        ("unit_report", "kind"): {"plan": _l("Plan"), "results": _l("Results")},
        # The reporting pages' words (contest/views/reporting.py).
        ("unit_report", "state"): {
            "draft": _l("Draft"),
            "submitted": _l("Submitted"),
            "returned": _l("Returned for changes"),
        },
    }


def init_app(app: Flask) -> None:
    app.extensions["audit_labels"] = dict(ACTION_LABELS)
    app.extensions["audit_field_labels"] = dict(FIELD_LABELS)
    app.extensions["audit_value_labels"] = {}
    add_value_labels(app, _contest_value_labels())


def add_action_labels(app: Flask, labels: dict[str, Any]) -> None:
    app.extensions.setdefault("audit_labels", {}).update(labels)


def add_field_labels(app: Flask, labels: dict[str, Any]) -> None:
    app.extensions.setdefault("audit_field_labels", {}).update(labels)


def add_value_labels(app: Flask, labels: dict[tuple[str, str], Any]) -> None:
    """Labels of stored values by (the action's first part, field): ("round", "state") for "round.opened"."""
    app.extensions.setdefault("audit_value_labels", {}).update(labels)


def _values_of(action: str, key: str) -> dict:
    labels = current_app.extensions.get("audit_value_labels", {}).get((action.split(".", 1)[0], key))
    if labels is None:
        return {}
    if callable(labels):  # words made in the request's language (a function of the app's)
        labels = labels()
    return {(k.value if isinstance(k, Enum) else k): v for k, v in labels.items()}


def action_label(action: str) -> str:
    label = current_app.extensions.get("audit_labels", {}).get(action)
    return str(label) if label is not None else action


def field_label(key: str) -> str:
    label = current_app.extensions.get("audit_field_labels", FIELD_LABELS).get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def object_text(object_type: str | None, object_id: str | None) -> str:
    """What an event is about: "Đội 228"."""
    label = OBJECT_LABELS.get(object_type or "")
    kind = str(label) if label is not None else (object_type or "")
    return f"{kind} {object_id}" if object_id else kind


def value_text(value: Any, key: str = "", action: str = "") -> str:
    """A stored value as a person reads it; `key` and `action` pick the words of an enum's value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("True") if value else _("False")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, key, action) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {value_text(v, str(k), action)}" for k, v in value.items()) or "—"
    text = str(value)
    if key and has_app_context():
        labels = _values_of(action, key)
        if text in labels:
            return str(labels[text])
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


def readable(values: Any, action: str = "") -> list[tuple[str, str]]:
    """A recorded before/after as (label, value) pairs, in the recorded order."""
    if not values:
        return []
    if not isinstance(values, dict):  # an older event may hold a list or a plain value
        return [("", value_text(values, action=action))]
    return [(field_label(str(key)), value_text(value, str(key), action)) for key, value in values.items()]
