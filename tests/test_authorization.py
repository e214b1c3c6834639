"""The authorization table: every route with the roles that may use it.

Generated checks against the app's URL map: a route missing from the table, or
a view without an `@access` rule, fails the suite. Each route is then requested
as every role and must be allowed or refused exactly as the table says.
Later issues add roles (judges) and routes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import func, select

from contest import cache
from contest.access import rules_of
from contest.models import CompetitionRole, CompetitionRoleKind, OutboxMessage
from contest.models.base import utcnow
from tests.factories import fill_entry, login, make_competition, make_team, make_unit, make_user

ANON, USER, ADMIN = "anonymous", "user", "admin"
LEADER, MEMBER, OTHER_TEAM = "team leader", "team member", "member of another team"
ORGANIZER, OTHER_ORGANIZER = "organizer", "organizer of another competition"
SECRETARIAT, OTHER_SECRETARIAT = "secretariat", "secretariat of another competition"
JUDGE, OTHER_JUDGE = "judge", "judge of another competition"
CONFLICTED_JUDGE = "judge of this competition, not assigned, with a confirmed conflict"
# Unit officers: competition A is organised by a ward; B by another ward; both wards are under one province.
UNIT_OFFICER = "officer of competition A's unit"
OTHER_UNIT_OFFICER = "officer of competition B's unit"
PARENT_UNIT_OFFICER = "officer of the province above A's unit"
# An officer of A's unit, signed in, whose account an administrator then deactivates.
DEACTIVATED_OFFICER = "officer of A's unit, deactivated after signing in"
ROLES = [
    ANON,
    USER,
    LEADER,
    MEMBER,
    OTHER_TEAM,
    SECRETARIAT,
    OTHER_SECRETARIAT,
    ORGANIZER,
    OTHER_ORGANIZER,
    JUDGE,
    OTHER_JUDGE,
    CONFLICTED_JUDGE,
    UNIT_OFFICER,
    OTHER_UNIT_OFFICER,
    PARENT_UNIT_OFFICER,
    DEACTIVATED_OFFICER,
    ADMIN,
]

EVERYONE = set(ROLES)
# The deactivated officer is refused at once, like a visitor who never signed in.
SIGNED_IN = EVERYONE - {ANON, DEACTIVATED_OFFICER}
ADMINS = {ADMIN}
# A unit's officers manage the competitions their unit organises (no other's).
ORGANIZERS = {ORGANIZER, UNIT_OFFICER, ADMIN}
CHECKERS = {SECRETARIAT, ORGANIZER, UNIT_OFFICER, ADMIN}
# A parent unit's officers see (not manage) what the units under it hold, drafts included.
DRAFT_READERS = ORGANIZERS | {PARENT_UNIT_OFFICER}
UNIT_VIEWERS = {UNIT_OFFICER, PARENT_UNIT_OFFICER, ADMIN}
OFFICERS = {UNIT_OFFICER, OTHER_UNIT_OFFICER, PARENT_UNIT_OFFICER}
UNIT_APPOINTERS = {PARENT_UNIT_OFFICER, ADMIN}
TEAM = {LEADER, MEMBER}
TEAM_OR_CHECKERS = TEAM | CHECKERS
LEADERS = {LEADER}
JUDGES = {JUDGE}
# A conflicted, unassigned judge still sits on the panel: their (empty) queue, the
# pitch timer, their own paper sheet and declaring conflicts; never the entry itself.
PANEL = JUDGES | {CONFLICTED_JUDGE}
# The registry of experts is kept by the officers of any unit (and administrators);
# the expert (here the judge's person) sees their own certificates, mentoring and judging history.
REGISTRY_OFFICERS = OFFICERS | ADMINS
EXPERT_SELF_OR_OFFICERS = REGISTRY_OFFICERS | {JUDGE}
REPORT_READERS = {
    ORGANIZER,
    OTHER_ORGANIZER,
    SECRETARIAT,
    OTHER_SECRETARIAT,
    UNIT_OFFICER,
    OTHER_UNIT_OFFICER,
    PARENT_UNIT_OFFICER,
    ADMIN,
}

TABLE: dict[str, set[str]] = {
    "main.index": EVERYONE,
    "main.healthz": EVERYONE,
    "main.readyz": EVERYONE,
    "main.set_locale": EVERYONE,
    "main.locale_link": EVERYONE,
    "auth.signup": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.verify_email": EVERYONE,
    "auth.resend_verification": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "account.profile": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.logout_everywhere": SIGNED_IN,
    "admin.index": ADMINS,
    "admin.orgunits_list": ADMINS,
    "admin.orgunit_new": ADMINS,
    "admin.orgunit_edit": ADMINS,
    "admin.orgunits_import": ADMINS,
    "admin.outbox": ADMINS,
    "admin.outbox_message": ADMINS,
    "admin.users": ADMINS,
    "admin.user_deactivate": ADMINS,
    "admin.user_reactivate": ADMINS,
    "admin.user_demote": ADMINS,
    # a unit's own pages
    "units.mine": SIGNED_IN,
    "units.dashboard": UNIT_VIEWERS,
    "units.history": EVERYONE,
    "units.officers": UNIT_APPOINTERS,
    "units.end_officer": UNIT_APPOINTERS,
    "units.deactivate_account": UNIT_APPOINTERS,
    "units.new_competition": {UNIT_OFFICER, ADMIN},
    "admin.audit_log": ADMINS,
    # competitions: public pages
    "competitions.show": EVERYONE,
    "competitions.rules_document": EVERYONE,
    "competitions.gallery": EVERYONE,
    "competitions.gallery_image": EVERYONE,
    # organizing committee
    "manage.index": SIGNED_IN,
    "manage.new": ADMINS,
    "manage.settings": ORGANIZERS,
    "manage.change_state": ORGANIZERS,
    "manage.roles": ORGANIZERS,
    "manage.revoke_role": ORGANIZERS,
    # between levels: the lower contest's organizers propose, the upper's secretariat decides
    "nominations.candidates": ORGANIZERS,
    "nominations.withdraw": ORGANIZERS,
    "nominations.propose": ORGANIZERS,
    "nominations.proposals": CHECKERS,
    "nominations.decide": CHECKERS,
    "nominations.set_quota": ORGANIZERS,
    # secretariat
    "secretariat.index": CHECKERS,
    "secretariat.show": CHECKERS,
    "secretariat.bulk_validity": CHECKERS,
    "secretariat.export_csv": CHECKERS,
    "secretariat.export_xlsx": CHECKERS,
    "secretariat.purge_earlier_files": ORGANIZERS,
    # teams
    "teams.mine": SIGNED_IN,
    "teams.new": SIGNED_IN,
    "teams.show": TEAM_OR_CHECKERS,
    "teams.invite": LEADERS,
    "teams.add_member": LEADERS,
    "teams.remove_member": LEADERS,
    "teams.hand_over": LEADERS,
    "teams.leave": TEAM,
    "teams.choose_project": LEADERS,
    "teams.accept_invite": SIGNED_IN,
    # entries
    "entries.edit": TEAM,
    "entries.autosave": TEAM,
    "entries.upload": TEAM,
    "entries.remove_attachment": TEAM,
    "entries.download": TEAM_OR_CHECKERS,
    "entries.submit": TEAM,
    "entries.carry_over": TEAM,
    "entries.receipt": TEAM,
    "entries.withdraw": LEADERS,
    # judging: the scoring API
    "api.openapi": EVERYONE,
    "api.sheet": JUDGES,
    "api.change": JUDGES,
    "api.submit": JUDGES,
    "api.timer": PANEL | ORGANIZERS,
    # judging: judges' pages
    "judge.home": SIGNED_IN,
    "judge.accept_invite": EVERYONE,
    "judge.queue": PANEL,
    "judge.score": JUDGES,
    "judge.document": JUDGES,
    "judge.declare_conflict": PANEL,
    "judge.paper_sheet": PANEL,
    "judge.csrf": SIGNED_IN,
    "judge.service_worker": EVERYONE,
    "judge.offline_page": EVERYONE,
    # judging: organizers
    **{
        f"organize.{name}": ORGANIZERS
        for name in (
            "index",
            "create_rubric",
            "edit_rubric",
            "create_round",
            "round",
            "refresh_entries",
            "apply_assignment",
            "add_pair",
            "remove_pair",
            "open_round",
            "lock",
            "remind",
            "pitch_order",
            "timer",
            "projector_control",
            "judges",
            "propose_conflicts",
            "decide_conflict",
            "paper_sheet",
            "set_chair",
        )
    },
    # results
    **{
        f"results_admin.{name}": ORGANIZERS
        for name in (
            "round_results",
            "set_method",
            "chair_order",
            "freeze",
            "diagnostics",
            "advance",
            "awards_page",
            "publish",
            "ceremony",
            "export_standings",
            "export_sheets",
            "round_record",
        )
    },
    # the audience vote: organizers open, watch, void and freeze; anyone may confirm an address and vote
    # and accept a flagged burst or trust and stop trusting the hall's networks
    **{
        f"votes_admin.{name}": ORGANIZERS
        for name in ("index", "campaign", "void", "accept", "trust", "untrust", "freeze")
    },
    **{f"votes.{name}": EVERYONE for name in ("page", "send_code", "confirm", "forget", "cast", "count")},
    "results.public_results": EVERYONE,
    "results.public_results_json": EVERYONE,
    "results.feedback": TEAM,
    # certificates
    "certificates.verify": EVERYONE,
    **{
        f"certificates.{name}": ORGANIZERS
        for name in ("index", "edit_template", "preview", "batch_status", "batch_download", "download", "correct")
    },
    "certificates.team_download": TEAM,
    # reports: whoever organizes or checks any competition sees the competitions they hold a role in
    "reports.dashboard": REPORT_READERS,
    "reports.yearly_page": REPORT_READERS,
    "reports.yearly_file": REPORT_READERS,
    "reports.targets": ADMINS,
    "reports.indicator": REPORT_READERS,
    "followup.competition_outcomes": ORGANIZERS,
    "followup.entry_outcomes": ORGANIZERS,
    "followup.team_outcomes": TEAM,
    # A unit reports through its officers; the Department's officers: see tests/contest/views/test_reporting.py.
    "reporting.home": ADMINS | OFFICERS,
    "reporting.plan": ADMINS | OFFICERS,
    "reporting.unit_year": {UNIT_OFFICER, ADMIN},
    "reporting.remove_activity": {UNIT_OFFICER, ADMIN},
    "reporting.unit_results": {UNIT_OFFICER, ADMIN},
    "reporting.unit_plan": {UNIT_OFFICER, ADMIN},
    "reporting.unit_results_file": {UNIT_OFFICER, ADMIN},
    "reporting.unit_plan_file": {UNIT_OFFICER, ADMIN},
    "reporting.department": ADMINS,
    "reporting.expected_units": ADMINS,
    "reporting.consolidate": ADMINS,
    "reporting.return_plan": ADMINS,
    "reporting.return_results": ADMINS,
    "reporting.province_file": ADMINS,
    "reporting.province_plan_file": ADMINS,
    # the expert network
    "experts.directory": EVERYONE,
    "experts.photo": EVERYONE,
    "experts.mine": SIGNED_IN,
    "experts.consent": SIGNED_IN,
    "experts.my_conflicts": SIGNED_IN,
    "experts.registry": REGISTRY_OFFICERS,
    "experts.new": REGISTRY_OFFICERS,
    "experts.record": REGISTRY_OFFICERS,
    "experts.add_certification": REGISTRY_OFFICERS,
    "experts.declare_conflict": REGISTRY_OFFICERS,
    "experts.remove_certification": REGISTRY_OFFICERS,
    "experts.end_conflict": EXPERT_SELF_OR_OFFICERS,
    "experts.assign_mentor": REGISTRY_OFFICERS,
    "experts.export": REGISTRY_OFFICERS,
    "experts.scan": EXPERT_SELF_OR_OFFICERS,
    "experts.mentorship": EXPERT_SELF_OR_OFFICERS,
    "judge.history": EXPERT_SELF_OR_OFFICERS,
    "organize.pool": ORGANIZERS,
    "organize.invite_expert": ORGANIZERS,
}


# Well-formed bodies for the JSON routes, so that what is tested is the access rule.
JSON_BODIES = {"entries.autosave": {}, "api.change": {"key": "authz-check", "comment": ""}, "api.submit": {}}


def _endpoints(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_route_is_in_the_table_and_declares_a_rule(app):
    endpoints = _endpoints(app)
    missing = sorted(set(endpoints) - set(TABLE))
    stale = sorted(set(TABLE) - set(endpoints))
    assert not missing, f"routes without an authorization entry: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"
    undeclared = sorted(e for e in endpoints if rules_of(app.view_functions[e]) is None)
    assert not undeclared, f"views without @access: {undeclared}"


@dataclass
class World:
    users: dict
    args: dict


def build_world(db) -> World:
    """Competition A with its team, organizer and secretariat; competition B with its own."""
    from datetime import date

    from contest.domain.entries import submit
    from contest.domain.teams import MemberDetails, accept_invitation, add_member, invite
    from contest.domain.tokens import make_token
    from contest.models import OrgUnitKind, UnitOfficer, UnitOfficerRole

    province = make_unit("AUTHZ-TINH", "Tỉnh kiểm thử", OrgUnitKind.province)
    ward_a = make_unit("AUTHZ-A", "Phường A", OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1))
    ward_b = make_unit("AUTHZ-B", "Phường B", OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1))
    comp_a = make_competition("cuoc-thi-a", unit=ward_a)
    comp_b = make_competition("cuoc-thi-b", unit=ward_b)
    users = {role: make_user(f"{i}@vai-tro.vn") for i, role in enumerate(ROLES) if role != ANON}
    users[ADMIN].platform_role = users[ADMIN].platform_role.admin
    officers = {}
    for role, unit in (
        (UNIT_OFFICER, ward_a),
        (OTHER_UNIT_OFFICER, ward_b),
        (PARENT_UNIT_OFFICER, province),
        (DEACTIVATED_OFFICER, ward_a),
    ):
        officers[role] = UnitOfficer(
            org_unit=unit,
            user=users[role],
            role=UnitOfficerRole.focal_point,
            valid_from=date(2025, 7, 1),
            granted_at=utcnow(),
        )
        db.session.add(officers[role])
    for user, competition, role in (
        (users[ORGANIZER], comp_a, CompetitionRoleKind.organizer),
        (users[SECRETARIAT], comp_a, CompetitionRoleKind.secretariat),
        (users[OTHER_ORGANIZER], comp_b, CompetitionRoleKind.organizer),
        (users[OTHER_SECRETARIAT], comp_b, CompetitionRoleKind.secretariat),
    ):
        db.session.add(CompetitionRole(competition_id=competition.id, user_id=user.id, role=role, granted_at=utcnow()))
    throwaway = make_user("bo-di@vai-tro.vn")
    grant = CompetitionRole(
        competition_id=comp_a.id, user_id=throwaway.id, role=CompetitionRoleKind.secretariat, granted_at=utcnow()
    )
    db.session.add(grant)
    db.session.commit()

    team = make_team(comp_a, users[LEADER], name="Đội A")
    invitation = invite(team, users[MEMBER].email, users[LEADER])
    token = make_token("team-invite", {"i": invitation.id, "n": invitation.nonce})
    accept_invitation(token, users[MEMBER], MemberDetails(full_name="Thành viên A"))
    extra = add_member(team, MemberDetails(full_name="Thành viên không tài khoản"))
    make_team(comp_a, users[OTHER_TEAM], name="Đội khác")
    entry = fill_entry(team)
    submit(entry, users[LEADER])
    from contest.models import Attachment, AttachmentKind

    image = Attachment(
        entry=entry,
        kind=AttachmentKind.image,
        filename="a.png",
        storage_key=entry.attachments[0].storage_key,
        content_type="image/png",
        size=1,
        sha256="0" * 64,
    )
    entry.gallery_opt_in = True
    db.session.add(image)
    db.session.commit()
    from contest.models import Nomination

    nomination = Nomination(source_entry_id=entry.id, target_competition_id=comp_a.id)
    db.session.add(nomination)
    db.session.commit()
    judging = build_judging(db, comp_a, comp_b, entry, users)
    args = {
        **judging,
        **build_experts(db, entry, users),
        "slug": comp_a.slug,
        "team_id": team.id,
        "entry_id": entry.id,
        "member_id": extra.id,
        "attachment_id": entry.attachments[0].id,
        "role_id": grant.id,
        "unit_id": ward_a.id,
        "officer_id": officers[UNIT_OFFICER].id,
        "user_id": throwaway.id,
        "token": "not-a-real-token",
        "year": 2026,
        "nomination_id": nomination.id,
        "activity_id": 1,  # none recorded: who may remove one is decided before it is looked up
        "indicator": "projects_supported",
        "message_id": db.session.scalar(select(func.min(OutboxMessage.id))),
    }
    return World(users=users, args=args)


def build_experts(db, entry, users) -> dict:
    """JUDGE's person in the registry, with a certificate (and its scan) and a project to mentor."""
    from datetime import date

    from contest.domain import experts
    from contest.models import ConflictKind, ExpertRole
    from tests.factories import pdf_bytes

    expert = experts.create_expert(
        experts.ExpertInput(full_name="Chuyên gia", roles=(ExpertRole.judge,)), by=None, user=users[JUDGE]
    )
    certification = experts.add_certification(
        expert,
        experts.CertificationInput("Cố vấn", "Bộ KH&CN", "1", date(2024, 1, 1), None, "a.pdf", pdf_bytes()),
        by=None,
    )
    mentorship = experts.assign_mentor(expert, entry.project, starts_on=date(2026, 1, 1), by=None)
    conflict = experts.declare_conflict(expert, ConflictKind.company, "Công ty Thân Quen", on=date(2025, 1, 1))
    db.session.commit()
    return {
        "expert_id": expert.id,
        "certification_id": certification.id,
        "mentorship_id": mentorship.id,
        "conflict_id": conflict.id,
    }


def build_judging(db, comp_a, comp_b, entry, users) -> dict:
    """An open round of competition A with JUDGE assigned to the entry; OTHER_JUDGE judges B."""
    from contest.models import EntryValidity
    from judging.domain.rounds import create_round
    from judging.domain.rubrics import create_from_preset
    from judging.models import (
        Assignment,
        Conflict,
        ConflictSource,
        ConflictStatus,
        EntrySource,
        Judge,
        RoundEntry,
        RoundMode,
        RoundState,
    )

    entry.validity = EntryValidity.valid
    judges = {}
    for role, competition in ((JUDGE, comp_a), (OTHER_JUDGE, comp_b)):
        judges[role] = Judge(
            competition_id=competition.id,
            user_id=users[role].id,
            invited_at=utcnow(),
            accepted_at=utcnow(),
            field_ids=[],
        )
        db.session.add(judges[role])
    rubric = create_from_preset(comp_a.id, "provincial_100", "Thang điểm 100")
    round_ = create_round(
        comp_a,
        name="Sơ khảo",
        mode=RoundMode.pitch,
        entry_source=EntrySource.all_valid,
        rubric=rubric,
        judges_per_entry=1,
    )
    round_.entries.append(RoundEntry(entry_id=entry.id))
    db.session.flush()
    db.session.add(Assignment(round_id=round_.id, judge_id=judges[JUDGE].id, entry_id=entry.id, created_at=utcnow()))
    round_.state = RoundState.open
    spare = Judge(competition_id=comp_a.id, user_id=make_user("du-bi@vai-tro.vn").id, invited_at=utcnow(), field_ids=[])
    db.session.add(spare)
    db.session.flush()
    conflicted = Judge(
        competition_id=comp_a.id,
        user_id=users[CONFLICTED_JUDGE].id,
        invited_at=utcnow(),
        accepted_at=utcnow(),
        field_ids=[],
    )
    db.session.add(conflicted)
    db.session.flush()
    db.session.add(
        Conflict(
            judge_id=conflicted.id,
            entry_id=entry.id,
            source=ConflictSource.declared,
            status=ConflictStatus.confirmed,
            reason="Giảng viên hướng dẫn của đội",
            created_at=utcnow(),
        )
    )
    conflict = Conflict(
        judge_id=spare.id,
        entry_id=entry.id,
        source=ConflictSource.proposed,
        status=ConflictStatus.pending,
        reason="Cùng trường",
        created_at=utcnow(),
    )
    db.session.add(conflict)
    db.session.commit()
    from datetime import timedelta

    from judging.models import VoteCampaign, VoteCandidate

    campaign = VoteCampaign(
        competition_id=comp_a.id,
        name="Giải do khán giả bình chọn",
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=1),
        created_at=utcnow(),
        candidates=[VoteCandidate(entry_id=entry.id)],
    )
    db.session.add(campaign)
    db.session.commit()
    return {
        "campaign_id": campaign.id,
        "round_id": round_.id,
        "rubric_id": rubric.id,
        "judge_id": judges[JUDGE].id,
        "conflict_id": conflict.id,
        "decision": "confirm",
        "fmt": "csv",
        **build_certificates(db, comp_a, entry),
    }


def build_certificates(db, competition, entry) -> dict:
    from datetime import date

    from contest.domain import certificates
    from contest.models import BatchStatus, CertificateBatch, CertificateKind

    templates = certificates.ensure_templates(competition)
    member = entry.team.members[0]
    certificate = certificates.issue(
        templates[CertificateKind.participation],
        [
            certificates.Recipient(
                member.full_name, entry.team.name, entry.title, "", entry.id, entry.team_id, member.id
            )
        ],
        date.today(),
    )[0]
    batch = CertificateBatch(competition_id=competition.id, status=BatchStatus.queued, created_at=utcnow())
    db.session.add(batch)
    db.session.commit()
    return {
        "template_id": templates[CertificateKind.award].id,
        "certificate_id": certificate.id,
        "batch_id": batch.id,
        "kind": "merged.pdf",
    }


def sign_in(client, world: World, role: str) -> None:
    """Sign the client in as `role`; the deactivated officer's account is then
    deactivated, as an administrator would, while the client stays signed in."""
    if role == ANON:
        return
    login(client, world.users[role])
    if role == DEACTIVATED_OFFICER:
        from contest.domain.accounts import deactivate
        from contest.extensions import db

        deactivate(world.users[role], by=world.users[ADMIN])
        db.session.commit()


def _is_refused(role: str, response) -> bool:
    if role in (ANON, DEACTIVATED_OFFICER):
        return (response.status_code == 302 and "/login" in response.location) or response.status_code == 401
    return response.status_code == 403


@pytest.fixture
def authz_app(database_url, tmp_path):
    """CSRF off here so that only the access rules are under test; CSRF has its own test."""
    from tests.conftest import empty_tables, make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=False, UPLOAD_FOLDER=str(tmp_path))
    with app.app_context():
        yield app
        from contest.extensions import db

        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()
        cache.clear()


def test_each_role_is_allowed_or_refused_as_the_table_says(authz_app):
    from contest.extensions import db
    from tests.conftest import empty_tables

    failures = []
    for endpoint, rule in sorted(_endpoints(authz_app).items()):
        # A fresh world per route: a POST as one role must not change what the next role meets.
        # End the session's transaction first: PostgreSQL's TRUNCATE waits for it.
        db.session.remove()
        empty_tables(db.engine)
        cache.clear()
        world = build_world(db)
        values = {name: world.args[name] for name in rule.arguments}
        with authz_app.test_request_context():
            url = url_for(endpoint, **values)
        method = "GET" if "GET" in rule.methods else "POST"
        for role in ROLES:
            client = authz_app.test_client()
            sign_in(client, world, role)
            response = client.open(url, method=method, json=JSON_BODIES.get(endpoint))
            allowed = role in TABLE[endpoint]
            if allowed == _is_refused(role, response):
                failures.append(f"{method} {url} as {role}: {response.status_code} (allowed={allowed})")
    assert not failures, "\n".join(failures)


def test_every_state_changing_route_requires_csrf(app):
    """Every POST route refuses a request without a CSRF token."""
    client = app.test_client()
    for endpoint, rule in _endpoints(app).items():
        if "POST" not in rule.methods:
            continue
        values = {name: 1 if name.endswith("_id") or name == "year" else "x" for name in rule.arguments}
        with app.test_request_context():
            url = url_for(endpoint, **values)
        response = client.post(url, data={})
        assert response.status_code == 400, f"{url} accepted a POST without CSRF"
        json_response = client.post(url, json={})
        assert json_response.status_code == 400, f"{url} accepted a JSON POST without CSRF"


def test_a_view_module_imports_on_its_own(tmp_path):
    """Rule names are checked when the app starts, not when a module happens to
    be imported before the one that registers them."""
    import subprocess
    import sys

    for module in ("judging.views.organize", "judging.views.api", "contest.views.manage"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            capture_output=True,
            text=True,
            cwd=str(Path(__file__).resolve().parents[1]),
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def test_an_unknown_rule_stops_the_app_from_starting(app):
    from contest.access import access, check_rules

    @app.get("/_test/unknown-rule")
    @access("competition:nobody")
    def _unknown():
        return "never"

    with pytest.raises(RuntimeError, match="competition:nobody"):
        check_rules(app)


def test_a_draft_competition_shows_on_no_public_route_but_to_its_organizers(authz_app):
    """Every route under /c/<slug>/ (found in the URL map, so a new one is
    checked too): a draft is 404 for everyone but its organizers and
    administrators, and its name is on no page they are sent."""
    from contest.extensions import db
    from contest.models import Competition, CompetitionState

    world = build_world(db)
    competition = db.session.scalar(db.select(Competition).where(Competition.slug == world.args["slug"]))
    competition.name = "Cuộc thi còn là bản nháp"
    db.session.commit()
    routes = sorted((e, r) for e, r in _endpoints(authz_app).items() if r.rule.startswith("/c/<slug>"))
    assert {e for e, _r in routes} >= {
        "competitions.show",
        "competitions.gallery",
        "teams.new",
        "results.public_results",
        "results.public_results_json",
    }
    clients = {}
    for role in ROLES:
        clients[role] = authz_app.test_client()
        sign_in(clients[role], world, role)

    def statuses(state):
        competition.state = state
        db.session.commit()
        cache.clear()
        seen = {}
        for endpoint, rule in routes:
            with authz_app.test_request_context():
                url = url_for(endpoint, **{name: world.args[name] for name in rule.arguments})
            for role in ROLES:
                response = clients[role].get(url)
                status = response.status_code
                if role in (ANON, DEACTIVATED_OFFICER) and status == 302 and "/login" in response.location:
                    status = "login"  # a route for signed-in visitors sends the anonymous to log in
                seen[endpoint, role] = (url, status, response.get_data(as_text=True))
        return seen

    shown = statuses(CompetitionState.open)
    hidden = statuses(CompetitionState.draft)
    failures = []
    for (endpoint, role), (url, status, body) in hidden.items():
        if role in DRAFT_READERS:
            if status != shown[endpoint, role][1]:
                failures.append(f"{url} as {role}: {status}, {shown[endpoint, role][1]} when open")
        elif status not in (404, "login"):
            failures.append(f"{url} as {role}: {status} for a draft")
        elif competition.name in body:
            failures.append(f"{url} as {role}: the draft's name is on the page")
    assert not failures, "\n".join(failures)
    assert any(shown[e, ANON][1] == 200 for e, _r in routes)  # the open competition's pages are shown
