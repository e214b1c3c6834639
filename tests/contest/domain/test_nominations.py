"""Nomination between levels: the lower level proposes only its winners and
finalists, to an upper contest whose area holds its unit; the upper level
accepts (its rules checked and every failure named) or declines; the project
stays one project; everything audited and the team told."""

from datetime import date

import pytest
from sqlalchemy import func, select

from contest.domain import nominations
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.models import (
    AuditEvent,
    CompetitionRole,
    CompetitionRoleKind,
    Entry,
    EntryStatus,
    NominationState,
    OutboxMessage,
    Project,
)
from contest.models.base import utcnow
from tests.factories import (
    announce_results,
    make_competition,
    make_round,
    make_user,
    make_valid_entry,
    province_tree,
)


def _grant(db, user, competition, role=CompetitionRoleKind.organizer):
    db.session.add(CompetitionRole(competition_id=competition.id, user_id=user.id, role=role, granted_at=utcnow()))
    db.session.commit()


@pytest.fixture
def levels(app, db):
    units = province_tree()
    commune = make_competition("xa-ly-son-2026", preset="district_commune", unit=units["commune"])
    province = make_competition("tinh-2026", unit=units["department"])
    winners = [make_valid_entry(commune, name=f"Đội xã {i}") for i in range(2)]
    loser = make_valid_entry(commune, name="Đội không đạt giải")
    announce_results(app, commune, winners)
    people = {
        "commune_organizer": make_user("btc-xa@example.vn"),
        "province_secretary": make_user("tk-tinh@example.vn"),
        "province_organizer": make_user("btc-tinh@example.vn"),
    }
    _grant(db, people["commune_organizer"], commune)
    _grant(db, people["province_secretary"], province, CompetitionRoleKind.secretariat)
    _grant(db, people["province_organizer"], province)
    return {
        "units": units,
        "commune": commune,
        "province": province,
        "winner": winners[0],
        "runner_up": winners[1],
        "loser": loser,
        **people,
    }


def test_the_lower_level_proposes_its_winner_and_the_upper_accepts_the_same_project(app, db, levels):
    winner, province = levels["winner"], levels["province"]
    with app.test_request_context():
        nomination = nominations.propose(winner, province, levels["commune_organizer"])
        assert "Giải Nhất" in nomination.source_result
        entry = nominations.accept(nomination, levels["province_secretary"], "Đạt giải Nhất cấp xã")
        db.session.commit()
    assert nomination.state is NominationState.accepted and nomination.accepted_entry_id == entry.id
    assert entry.competition_id == province.id and entry.project_id == winner.project_id
    # Owned by the same people, as a draft: nothing of the source dossier is copied.
    assert entry.team.leader_id == winner.team.leader_id
    assert [m.full_name for m in entry.team.members] == [m.full_name for m in winner.team.members]
    assert entry.status is EntryStatus.draft and entry.attachments == [] and entry.summary == ""
    assert entry.code is None and entry.versions == []
    assert db.session.scalar(select(func.count(Project.id))) == 3  # two winners and the loser: no new project
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "nomination").order_by(AuditEvent.id)
        )
    ]
    assert actions == ["nomination.proposed", "nomination.accepted"]
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == winner.team.leader.email).order_by(OutboxMessage.id)
    ).all()
    assert province.name in mails[-2].subject and province.name in mails[-1].subject
    with app.test_request_context(), pytest.raises(Conflict):
        nominations.propose(winner, province, levels["commune_organizer"])


def test_an_entry_that_neither_won_nor_advanced_is_refused_with_the_reason(app, db, levels):
    loser = levels["loser"]
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        nominations.propose(loser, levels["province"], levels["commune_organizer"])
    assert refused.value.code == "not_qualified"
    assert loser.code in refused.value.message and levels["commune"].name in refused.value.message
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "nomination"))
        == 0
    )


def test_an_entry_that_reached_the_final_round_may_be_proposed(app, db):
    units = province_tree()
    commune = make_competition("xa-chung-ket", preset="district_commune", unit=units["commune"])
    province = make_competition("tinh-chung-ket", unit=units["department"])
    finalist, other = make_valid_entry(commune), make_valid_entry(commune)
    make_round(commune, [finalist, other], [], name="Sơ khảo")
    make_round(commune, [finalist], [], name="Chung kết")
    organizer = make_user()
    _grant(db, organizer, commune)
    with app.test_request_context():
        assert [c.entry.id for c in nominations.candidates(commune)] == [finalist.id]
        assert "Chung kết" in nominations.propose(finalist, province, organizer).source_result
        with pytest.raises(DomainError):
            nominations.propose(other, province, organizer)


def test_only_the_lower_contests_organizers_propose(app, db, levels):
    """The upper level's organizer, or another contest's, cannot pull an entry up themselves."""
    other = make_competition("xa-khac-2026", preset="district_commune", unit=levels["units"]["other_commune"])
    stranger = make_user()
    _grant(db, stranger, other)
    for user in (levels["province_organizer"], stranger, levels["province_secretary"]):
        with app.test_request_context(), pytest.raises(NotAllowed):
            nominations.propose(levels["winner"], levels["province"], user)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "nomination.proposed")
        )
        == 0
    )


def test_only_an_upper_contest_whose_area_holds_the_unit_takes_nominations(app, db, levels):
    from contest.models import OrgUnitKind
    from tests.factories import make_unit

    other_province = make_unit("P-KTM", "Tỉnh Kon Tum", OrgUnitKind.province)
    elsewhere = make_competition(
        "tinh-kon-tum", unit=make_unit("P-KTM-KHCN", "Sở KH&CN Kon Tum", OrgUnitKind.department, parent=other_province)
    )
    sibling = make_competition("xa-ben-canh", preset="district_commune", unit=levels["units"]["other_commune"])
    earlier = make_competition("tinh-2025", unit=levels["units"]["department"], year=2025)
    organizer = levels["commune_organizer"]
    assert nominations.upper_competitions(levels["commune"]) == [levels["province"]]
    for target in (elsewhere, sibling, earlier, levels["commune"]):
        with app.test_request_context(), pytest.raises(DomainError) as refused:
            nominations.propose(levels["winner"], target, organizer)
        assert refused.value.field == "target"


def test_a_district_contest_after_the_reform_nominates_nothing(app, db):
    from contest.models import OrgUnitKind
    from tests.factories import make_unit

    units = province_tree()
    district = make_unit("P-BS", "Huyện Bình Sơn", OrgUnitKind.district, parent=units["province"])
    contest = make_competition("huyen-2026", preset="district_commune", unit=district)
    # Made before the reform's end date was recorded: a unit's dates refuse such a contest today.
    district.valid_to = date(2025, 6, 30)
    db.session.flush()
    province = make_competition("tinh-sau-cai-cach", unit=units["department"])
    assert "1 July 2025" in nominations.target_problem(contest, province) or "1/7/2025" in nominations.target_problem(
        contest, province
    )


def test_eligibility_failures_are_named_at_acceptance(app, db, levels):
    from contest.domain.projects import record_enterprise

    province, winner = levels["province"], levels["winner"]
    province.age_max = 35
    member = winner.team.members[0]
    member.date_of_birth = date(1980, 1, 2)
    with app.test_request_context():
        record_enterprise(winner.project, "4300 111 222", date(2018, 4, 2), name="Công ty TNHH Tỏi đen", source="ĐKDN")
        nomination = nominations.propose(winner, province, levels["commune_organizer"])
        db.session.commit()
        with pytest.raises(nominations.NotEligible) as refused:
            nominations.accept(nomination, levels["province_secretary"])
    problems = refused.value.problems
    from contest.domain.teams import age_on

    age = age_on(member.date_of_birth, province.submission_deadline.date())
    assert any(member.full_name in p and str(age) in p for p in problems), problems
    assert any("4300111222" in p and "02/04/2018" in p for p in problems), problems
    assert all(p in refused.value.message for p in problems)
    db.session.rollback()
    assert nomination.state is NominationState.proposed
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 0


def test_decline_needs_a_reason_and_the_quota_holds(app, db, levels):
    province, secretary = levels["province"], levels["province_secretary"]
    with app.test_request_context():
        first = nominations.propose(levels["winner"], province, levels["commune_organizer"])
        second = nominations.propose(levels["runner_up"], province, levels["commune_organizer"])
        with pytest.raises(NotAllowed):
            nominations.set_quota(province, levels["units"]["commune"], 1, secretary)  # organizers set quotas
        nominations.set_quota(province, levels["units"]["commune"], 1, levels["province_organizer"])
        nominations.accept(first, secretary)
        with pytest.raises(Conflict):
            nominations.accept(second, secretary)
        with pytest.raises(DomainError):
            nominations.decline(second, secretary, "  ")
        with pytest.raises(NotAllowed):
            nominations.decline(second, levels["commune_organizer"], "Không phải việc của xã")
        nominations.decline(second, secretary, "Đã đủ chỉ tiêu của đặc khu")
        db.session.commit()
    assert second.state is NominationState.declined and second.reason == "Đã đủ chỉ tiêu của đặc khu"
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nomination.declined")).reason
        == "Đã đủ chỉ tiêu của đặc khu"
    )


def test_a_team_enters_a_project_it_already_has_and_units_find_their_projects(app, db, levels):
    from contest.domain import projects
    from tests.factories import make_team

    winner, province = levels["winner"], levels["province"]
    leader = winner.team.leader
    team = make_team(province, leader, name="Đội Tỏi đen – cấp tỉnh")
    from contest.domain.entries import get_or_create_entry

    entry = get_or_create_entry(team)
    own_project = entry.project_id
    with app.test_request_context():
        assert [p.id for p in projects.other_projects(entry, leader)] == [winner.project_id]
        with pytest.raises(NotAllowed):
            projects.enter_existing_project(entry, levels["loser"].project, leader)  # not theirs
        projects.enter_existing_project(entry, winner.project, leader)
        db.session.commit()
    assert entry.project_id == winner.project_id and db.session.get(Project, own_project) is None
    assert [s.competition.slug for s in projects.path(winner.project)] == ["xa-ly-son-2026", "tinh-2026"]
    # The units' dashboards: the projects of an area in a year.
    commune_unit = levels["units"]["commune"]
    assert {p.id for p in projects.projects_in_area([commune_unit.id], 2026)} == {
        levels["winner"].project_id,
        levels["runner_up"].project_id,
        levels["loser"].project_id,
    }
    assert projects.projects_in_area([commune_unit.id], 2025) == []


def test_a_youth_contest_nominates_only_where_the_provincial_contest_takes_it(app, db):
    from contest.models import OrgUnitKind
    from tests.factories import make_unit

    units = province_tree()
    union = make_unit("P-DOAN", "Tỉnh Đoàn", OrgUnitKind.youth_union, parent=units["province"])
    youth = make_competition("y-tuong-2026", preset="youth_idea", unit=union)
    province = make_competition("tinh-thanh-nien", unit=units["department"])
    assert "youth" in nominations.target_problem(youth, province) or "Đoàn" in nominations.target_problem(
        youth, province
    )
    assert nominations.upper_competitions(youth) == []
    province.takes_youth_nominations = True
    db.session.commit()
    assert nominations.target_problem(youth, province) is None
    assert nominations.upper_competitions(youth) == [province]


def test_acceptance_refuses_a_project_that_became_an_entry_of_the_upper_contest_meanwhile(app, db, levels):
    """Proposed, then the leader entered the same project in the provincial contest
    themselves: accepting would make the project two entries of one contest."""
    from contest.domain import projects
    from contest.domain.entries import get_or_create_entry
    from tests.factories import make_team

    winner, province = levels["winner"], levels["province"]
    with app.test_request_context():
        nomination = nominations.propose(winner, province, levels["commune_organizer"])
        own = get_or_create_entry(make_team(province, winner.team.leader, name="Đội Tỏi đen – tự đăng ký"))
        projects.enter_existing_project(own, winner.project, winner.team.leader)
        db.session.commit()
        with pytest.raises(Conflict):
            nominations.accept(nomination, levels["province_secretary"])
    db.session.rollback()
    assert nomination.state is NominationState.proposed
    assert (
        db.session.scalar(
            select(func.count(Entry.id)).where(
                Entry.competition_id == province.id, Entry.project_id == winner.project_id
            )
        )
        == 1
    )


def test_acceptance_refuses_when_the_upper_contest_no_longer_takes_nominations(app, db, levels):
    from contest.models import CompetitionState

    province = levels["province"]
    with app.test_request_context():
        nomination = nominations.propose(levels["winner"], province, levels["commune_organizer"])
        province.state = CompetitionState.results_published
        db.session.commit()
        with pytest.raises(DomainError):
            nominations.accept(nomination, levels["province_secretary"])
    db.session.rollback()
    assert nomination.state is NominationState.proposed
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 0


@pytest.mark.parametrize("moved_on", ["closed", "judging", "past_deadline"])
def test_acceptance_is_refused_once_the_upper_contest_no_longer_takes_entries(app, db, levels, moved_on):
    """Acceptance makes a draft the team must submit there: into a contest closed for entries,
    past its deadline or judging, that draft could never be submitted, and the project sat
    stuck as an unsubmittable entry with nobody told. Refused with the reason, nothing made."""
    from datetime import timedelta

    from contest.models import CompetitionState, Member, Team

    province = levels["province"]
    with app.test_request_context():
        nomination = nominations.propose(levels["winner"], province, levels["commune_organizer"])
        db.session.commit()
    if moved_on == "past_deadline":
        province.submission_deadline = utcnow() - timedelta(minutes=1)
    else:
        province.state = CompetitionState[moved_on]
    db.session.commit()
    mails = db.session.scalar(select(func.count(OutboxMessage.id)))
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        nominations.accept(nomination, levels["province_secretary"], "Đạt giải Nhất cấp xã")
    db.session.rollback()
    assert refused.value.code == "entries_closed"
    assert province.name in refused.value.message and "không thể nộp hồ sơ dự thi" in refused.value.message
    assert nomination.state is NominationState.proposed and nomination.accepted_entry_id is None
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 0
    assert db.session.scalar(select(func.count(Team.id)).where(Team.competition_id == province.id)) == 0
    assert db.session.scalar(select(func.count(Member.id)).join(Team).where(Team.competition_id == province.id)) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails
    assert not db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "nomination.accepted"))
    # Declining is still open to the upper contest.
    with app.test_request_context():
        nominations.decline(nomination, levels["province_secretary"], "Cuộc thi cấp tỉnh đã hết hạn nhận hồ sơ")
        db.session.commit()
    assert nomination.state is NominationState.declined


def test_acceptance_before_the_upper_contests_registration_opens_still_makes_the_draft(app, db, levels):
    """An open contest whose registration opens later will take the entry: the team submits then."""
    from datetime import timedelta

    province = levels["province"]
    province.registration_opens_at = utcnow() + timedelta(days=3)
    db.session.commit()
    with app.test_request_context():
        nomination = nominations.propose(levels["winner"], province, levels["commune_organizer"])
        assert nominations.entries_closed_reason(province) is None
        entry = nominations.accept(nomination, levels["province_secretary"])
        db.session.commit()
    assert nomination.state is NominationState.accepted and entry.status is EntryStatus.draft


def test_two_acceptances_of_one_proposal_at_the_same_moment_make_one_entry(app, db, levels):
    """A double click on "Decide", or the secretary and an organizer at once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import Nomination, User
    from tests.conftest import at_the_same_moment

    province = levels["province"]
    with app.test_request_context():
        nomination_id = nominations.propose(levels["winner"], province, levels["commune_organizer"]).id
    db.session.commit()
    deciders = [levels["province_secretary"].id, levels["province_organizer"].id]

    def accept(i, ready):
        with app.test_request_context():
            nomination = db.session.get(Nomination, nomination_id)
            user = db.session.get(User, deciders[i])
            ready()
            return nominations.accept(nomination, user).id

    results = at_the_same_moment(app, accept)
    assert sum(isinstance(r, int) for r in results) == 1 and "Conflict" in results, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 1


def test_two_proposals_of_one_entry_at_the_same_moment_make_one_nomination(app, db, levels):
    """A double click on "Nominate": the second is told, not a database error."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import Competition, Nomination, User
    from tests.conftest import at_the_same_moment

    entry_id, province_id, organizer_id = levels["winner"].id, levels["province"].id, levels["commune_organizer"].id

    def propose(_i, ready):
        with app.test_request_context():
            entry, target = db.session.get(Entry, entry_id), db.session.get(Competition, province_id)
            user = db.session.get(User, organizer_id)
            ready()
            return nominations.propose(entry, target, user).id

    results = at_the_same_moment(app, propose)
    assert sum(isinstance(r, int) for r in results) == 1 and "Conflict" in results, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Nomination.id))) == 1


def test_a_quotas_last_place_is_taken_once_when_two_are_accepted_at_the_same_moment(app, db, levels):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import Nomination, User
    from tests.conftest import at_the_same_moment

    province = levels["province"]
    with app.test_request_context():
        ids = [
            nominations.propose(levels[k], province, levels["commune_organizer"]).id for k in ("winner", "runner_up")
        ]
        nominations.set_quota(province, levels["units"]["commune"], 1, levels["province_organizer"])
    db.session.commit()
    secretary_id = levels["province_secretary"].id

    def accept(i, ready):
        with app.test_request_context():
            nomination, user = db.session.get(Nomination, ids[i]), db.session.get(User, secretary_id)
            ready()
            return nominations.accept(nomination, user).id

    results = at_the_same_moment(app, accept)
    assert sum(isinstance(r, int) for r in results) == 1 and "Conflict" in results, results


def test_a_submitted_entry_keeps_its_project_and_nothing_recorded_on_it_is_lost(app, db, levels, client):
    """The page offers "enter a project you already have" only before the first
    submission; a leader's POST afterwards (an old tab, a hand-made form) would move
    a contest's result to another project and delete the one it had, with the
    enterprise and the mentoring recorded on it."""
    from contest.domain import projects
    from contest.domain.entries import get_or_create_entry
    from contest.models import Enterprise
    from tests.factories import csrf_token, login, make_team

    winner = levels["winner"]
    leader, kept = winner.team.leader, winner.project_id
    other = make_competition("xa-ly-son-2025", preset="district_commune", unit=levels["units"]["commune"])
    elsewhere = get_or_create_entry(make_team(other, leader, name="Đội năm trước"))
    with app.test_request_context():
        enterprise = projects.record_enterprise(winner.project, "4300 999 888", date(2026, 5, 2), source="ĐKDN")
        db.session.commit()
        with pytest.raises(Conflict):
            projects.enter_existing_project(winner, elsewhere.project, leader)
    db.session.rollback()
    login(client, leader)
    token = csrf_token(client, f"/teams/{winner.team_id}")
    answer = client.post(
        f"/teams/{winner.team_id}/project", data={"csrf_token": token, "project_id": elsewhere.project_id}
    )
    assert answer.status_code == 409
    db.session.expire_all()
    assert db.session.get(Entry, winner.id).project_id == kept and db.session.get(Project, kept) is not None
    assert db.session.get(Enterprise, enterprise.id).project_id == kept


def test_a_draft_entry_keeps_a_project_that_holds_an_enterprise(app, db, levels):
    from contest.domain import projects
    from contest.domain.entries import get_or_create_entry
    from contest.models import Enterprise
    from tests.factories import make_team

    leader = levels["winner"].team.leader
    other = make_competition("xa-ly-son-2027", preset="district_commune", unit=levels["units"]["commune"])
    draft = get_or_create_entry(make_team(other, leader, name="Đội năm sau"))
    with app.test_request_context():
        enterprise = projects.record_enterprise(draft.project, "4300 777 666", date(2026, 5, 2), source="ĐKDN")
        db.session.commit()
        with pytest.raises(Conflict):
            projects.enter_existing_project(draft, levels["winner"].project, leader)
    db.session.rollback()
    assert db.session.get(Enterprise, enterprise.id).project_id == draft.project_id


def test_a_quota_set_twice_at_the_same_moment_is_one_quota_without_an_error(app, db, levels):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import Competition, NominationQuota, OrgUnit, User
    from tests.conftest import at_the_same_moment

    province_id, unit_id, organizer_id = (
        levels["province"].id,
        levels["units"]["commune"].id,
        levels["province_organizer"].id,
    )

    def set_quota(i, ready):
        with app.test_request_context():
            target, unit = db.session.get(Competition, province_id), db.session.get(OrgUnit, unit_id)
            user = db.session.get(User, organizer_id)
            ready()
            nominations.set_quota(target, unit, 1 + i, user)
            db.session.flush()
            return 1 + i

    assert sorted(at_the_same_moment(app, set_quota), key=str) == [1, 2]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(NominationQuota.id))) == 1


def test_two_teams_of_one_name_from_contests_of_one_name_are_both_accepted(app, db):
    """Communes often name their contests alike, and teams too: with a team of that name
    already in the provincial contest, the second team accepted got the name the first had
    taken there ("name (contest)"), and the acceptance ended in a 500."""
    from tests.factories import make_team

    units = province_tree()
    province = make_competition("tinh-trung-ten", unit=units["department"])
    make_team(province, name="Nhóm Khởi nghiệp xanh")  # registered there directly
    secretary, winners = make_user("tk-trung-ten@example.vn"), []
    _grant(db, secretary, province, CompetitionRoleKind.secretariat)
    for slug, unit in (("xa-a", units["commune"]), ("xa-b", units["other_commune"])):
        commune = make_competition(slug, preset="district_commune", unit=unit)
        commune.name = "Cuộc thi Ý tưởng khởi nghiệp 2026"
        winner = make_valid_entry(commune, name="Nhóm Khởi nghiệp xanh")
        announce_results(app, commune, [winner])
        organizer = make_user(f"btc-{slug}@example.vn")
        _grant(db, organizer, commune)
        winners.append((winner, organizer))
    with app.test_request_context():
        made = [nominations.accept(nominations.propose(w, province, o), secretary) for w, o in winners]
        db.session.commit()
    names = [e.team.name for e in made]
    assert len(set(names)) == 2 and all(n.startswith("Nhóm Khởi nghiệp xanh (") for n in names), names


# -- the team carries its dossier over ------------------------------------------------


def _dossier(winner):
    """The winner's entry with every field of the entry form filled, and an image besides its two documents."""
    from contest.domain.attachments import add_attachment
    from contest.models import AttachmentKind, EntryStage
    from tests.contest.domain.test_uploads import make_png

    winner.stage, winner.company_registered_on = EntryStage.registered_company, date(2025, 3, 1)
    winner.team_strengths, winner.funding_needed = "Ba thành viên làm nghề tỏi 10 năm", 500_000_000
    winner.video_url, winner.website_url = "https://youtu.be/toi-den", "https://toidenlyson.vn"
    winner.gallery_opt_in = True
    add_attachment(winner, AttachmentKind.image, "vuon-toi.png", make_png(4, 3), winner.team.leader)
    from tests.factories import db as _db

    _db.session.commit()
    return winner


CONTENT = (
    "title",
    "summary",
    "problem",
    "solution",
    "customers_market",
    "business_model",
    "stage",
    "company_registered_on",
    "funding_needed",
    "team_strengths",
    "video_url",
    "website_url",
)
# What acceptance gives the draft: what places it.
PLACING = ("title", "stage", "company_registered_on")


def _accepted(app, db, levels, source):
    with app.test_request_context():
        nomination = nominations.propose(source, levels["province"], levels["commune_organizer"])
        entry = nominations.accept(nomination, levels["province_secretary"])
        db.session.commit()
    return entry


def _carry(app, db, entry, user):
    with app.test_request_context():
        done = nominations.carry_over_dossier(entry, user)
        db.session.commit()
    return done


def test_acceptance_copies_no_content_and_no_document_and_the_team_carries_them_over(app, db, levels):
    from contest.domain.entries import attachment_bytes

    winner = _dossier(levels["winner"])
    entry = _accepted(app, db, levels, winner)
    db.session.expire_all()
    for name in CONTENT:
        if name not in PLACING:
            assert getattr(entry, name) in (None, ""), name
    assert entry.attachments == []
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "Chép hồ sơ từ cuộc thi cấp dưới" in mail.body_text and f"/teams/{entry.team_id}/entry" in mail.body_text
    assert nominations.dossier_left_to_carry(entry) != ([], [])

    done = _carry(app, db, entry, winner.team.leader)
    db.session.expire_all()
    for name in CONTENT:
        assert getattr(entry, name) == getattr(winner, name), name
    assert entry.board.code == winner.board.code and entry.field.name == winner.field.name
    # Consent to the public gallery is given anew; the history starts here.
    assert entry.gallery_opt_in is False and entry.versions == [] and entry.submitted_at is None
    origin = winner.current_attachments()
    carried = entry.current_attachments()
    assert [(a.kind, a.filename, a.size, a.sha256) for a in carried] == [
        (a.kind, a.filename, a.size, a.sha256) for a in origin
    ]
    assert len(carried) == 3 and {a.entry_id for a in carried} == {entry.id}
    assert [attachment_bytes(a) for a in carried] == [attachment_bytes(a) for a in origin]
    assert done.left == [] and set(done.fields) == set(CONTENT) - set(PLACING)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.dossier_carried"))
    assert event.actor_id == winner.team.leader_id and event.object_id == str(entry.id)
    assert set(event.after["fields_carried"]) == set(CONTENT) - set(PLACING)
    assert set(event.after["fields_kept"]) == set(PLACING)
    assert [f["filename"] for f in event.after["files_carried"]] == [a.filename for a in origin]
    assert [f["sha256"] for f in event.after["files_carried"]] == [a.sha256 for a in origin]
    assert event.after["files_left"] == []
    assert nominations.dossier_left_to_carry(entry) == ([], [])

    # A second press carries nothing more, and records nothing.
    again = _carry(app, db, entry, winner.team.leader)
    assert again.nothing and again.left == []
    assert len(entry.current_attachments()) == 3
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "entry.dossier_carried")) == 1


def test_carrying_keeps_what_the_team_typed_and_the_kinds_of_document_it_uploaded(app, db, levels):
    from contest.domain.attachments import add_attachment
    from contest.domain.entries import save_draft
    from contest.models import AttachmentKind
    from tests.factories import pdf_bytes

    winner = levels["winner"]
    entry = _accepted(app, db, levels, winner)
    with app.test_request_context():
        save_draft(entry, {"summary": "Tóm tắt viết lại cho cấp tỉnh"})
        add_attachment(entry, AttachmentKind.pitch_deck, "deck-tinh.pdf", pdf_bytes("Cấp tỉnh"), winner.team.leader)
        db.session.commit()
    done = _carry(app, db, entry, winner.team.leader)
    db.session.expire_all()
    assert entry.summary == "Tóm tắt viết lại cho cấp tỉnh" and entry.problem == winner.problem != ""
    assert "summary" in done.kept and "summary" not in done.fields
    assert [a.filename for a in entry.current_attachments(AttachmentKind.pitch_deck)] == ["deck-tinh.pdf"]
    assert [a.kind for a in done.files] == [AttachmentKind.description]
    assert [(f.kind, f.problem) for f in done.left] == [(AttachmentKind.pitch_deck, "has_own")]
    assert "đã có tệp riêng" in done.left[0].reason() or "already has" in done.left[0].reason()


def test_only_the_team_carries_only_into_a_nominated_draft_while_the_contest_takes_entries(app, db, levels):
    from contest.domain.entries import get_or_create_entry, submit
    from tests.factories import make_team

    winner = levels["winner"]
    entry = _accepted(app, db, levels, winner)
    with app.test_request_context(), pytest.raises(NotAllowed):
        nominations.carry_over_dossier(entry, levels["province_secretary"])
    # An entry that was not nominated has nothing to carry.
    own = make_team(levels["province"], members=1, name="Đội tỉnh")
    with app.test_request_context(), pytest.raises(Conflict):
        nominations.carry_over_dossier(get_or_create_entry(own), own.leader)
    # Nor does a submitted one.
    _carry(app, db, entry, winner.team.leader)
    with app.test_request_context():
        submit(entry, winner.team.leader)
        db.session.commit()
    assert entry.status is EntryStatus.submitted
    with app.test_request_context(), pytest.raises(Conflict):
        nominations.carry_over_dossier(entry, winner.team.leader)


def test_replacing_removing_or_purging_the_drafts_files_keeps_the_origins(app, db, levels):
    from contest.domain.attachments import add_attachment, purge_earlier_files, purge_expired_files, remove_attachment
    from contest.domain.entries import attachment_bytes
    from contest.models import AttachmentKind
    from contest.storage import get_storage
    from tests.factories import pdf_bytes

    winner = levels["winner"]
    entry = _accepted(app, db, levels, winner)
    _carry(app, db, entry, winner.team.leader)
    origin = {a.kind: (a.storage_key, attachment_bytes(a)) for a in winner.current_attachments()}
    deck, description = (
        entry.current_attachments(kind)[0] for kind in (AttachmentKind.pitch_deck, AttachmentKind.description)
    )
    new_deck = pdf_bytes("Bản cấp tỉnh")
    with app.test_request_context():
        add_attachment(entry, AttachmentKind.pitch_deck, "deck-tinh.pdf", new_deck, entry.team.leader)
        remove_attachment(entry, description)
        db.session.commit()
        assert purge_earlier_files(entry) == 2
        db.session.commit()  # the purge's deletions run after the commit
    assert deck.purged_at is not None and description.purged_at is not None
    db.session.expire_all()
    assert purge_expired_files(days=0).files == 0  # nothing left to purge, and the sweep keeps the origin's
    storage = get_storage()
    for row in winner.current_attachments():
        key, data = origin[row.kind]
        assert row.storage_key == key and storage.exists(key) and attachment_bytes(row) == data
    assert attachment_bytes(entry.current_attachments(AttachmentKind.pitch_deck)[0]) == new_deck


def test_a_field_the_upper_contest_lacks_stays_empty_and_the_rest_is_carried(app, db, levels):
    winner, province = levels["winner"], levels["province"]
    for field in province.fields:
        field.name = f"{field.name} (cấp tỉnh)"
    db.session.commit()
    entry = _accepted(app, db, levels, winner)
    _carry(app, db, entry, winner.team.leader)
    assert entry.field_id is None and entry.board.code == winner.board.code
    assert (entry.summary, entry.problem, entry.business_model) == (
        winner.summary,
        winner.problem,
        winner.business_model,
    )
    assert len(entry.current_attachments()) == 2


def test_a_press_works_own_fields_and_a_recording_the_upper_contest_does_not_take_stay_behind_and_are_named(
    app, db, levels
):
    from contest.domain.attachments import add_attachment
    from contest.models import AttachmentKind, Board
    from tests.contest.domain.test_media_award import mp3_bytes
    from tests.factories import make_press_work, make_team

    province = levels["province"]
    media = make_competition("bao-chi-2026", preset="media_award", unit=levels["units"]["department"])
    work = make_press_work(make_team(media, members=1, name="Nhóm phóng viên"))
    # The recording replaces the article: a startup contest's project description is a PDF or DOCX.
    add_attachment(work, AttachmentKind.description, "phong-su.mp3", mp3_bytes(8192), work.team.leader)
    db.session.commit()
    announce_results(app, media, [work])
    db.session.add(Board(competition_id=province.id, code=work.board.code, name=work.board.name, position=9))
    _grant(db, levels["commune_organizer"], media)
    db.session.commit()
    entry = _accepted(app, db, levels, work)
    with app.test_request_context():
        done = nominations.carry_over_dossier(entry, work.team.leader)
        db.session.commit()
        assert [f.filename for f in done.left] == ["phong-su.mp3"]
        assert "MP3" in done.left[0].reason() and "PDF, DOCX" in done.left[0].reason()
    assert (entry.title, entry.summary) == (work.title, work.summary)
    # The medium, outlet, date and link are the press work's own: the provincial form has no such fields.
    assert (entry.media_type, entry.outlet, entry.published_on, entry.work_url) == (None, "", None, None)
    assert entry.field_id is None and entry.board.code == work.board.code
    assert entry.current_attachments() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.dossier_carried"))
    assert event.after["fields_carried"] == ["summary"]
    assert [f["filename"] for f in event.after["files_left"]] == ["phong-su.mp3"]
    assert "MP3" in event.after["files_left"][0]["reason"]
