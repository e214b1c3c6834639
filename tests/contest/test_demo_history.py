"""`flask demo` gives the reports several years of history (contests, awards,
follow-up), and running it again adds nothing. One test: the demo takes a while."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from contest.demo import load_demo
from contest.demo_experts import ISSUED
from contest.demo_history import ADVISERS, HISTORY
from contest.domain import reports
from contest.models import Competition, CompetitionState
from contest.models.base import Base
from contest.reports import figures as F


def _row_counts(db) -> dict[str, int]:
    # The org-unit import logs itself on every run, so the audit log is left out.
    return {
        t.name: db.session.scalar(select(func.count()).select_from(text(f'"{t.name}"')))
        for t in Base.metadata.sorted_tables
        if t.name != "audit_events"
    }


def test_demo_history_feeds_the_reports_and_loads_once(app, db):
    load_demo()
    with app.test_request_context():
        records = reports.load_records(None)
        by_year = dict(
            F.breakdown(records.competitions, records.teams, lambda t, c: str(t.year), lambda c: str(c.year)).rows
        )
        progress = {
            (p.target.indicator, p.target.start_year): p
            for p, _label, _period in reports.plan_progress(None, date.today())
        }

    assert len([year for year, f in by_year.items() if f.teams]) >= 4
    history = [by_year[str(year)] for year in (2022, 2023, 2024)]
    assert history[0].teams < history[1].teams < history[2].teams
    for figures in history:
        assert figures.awards > 0 and figures.prize_money > 0
        assert figures.entries_valid > 0 and figures.women_led_teams > 0 and figures.student_teams > 0
        assert 0 < figures.youth < figures.participants  # some older than 35
        assert {1, 2} <= set(figures.reached)  # a first round and a final
    assert history[1].competitions == 3  # provincial, district, youth
    states = set(
        db.session.scalars(select(Competition.state).where(Competition.slug.in_([spec.slug for spec in HISTORY])))
    )
    assert states <= {CompetitionState.archived, CompetitionState.results_published}

    # Teams registered from district-level units dissolved in 2025, still counted under them.
    former = {t.unit_id for t in records.teams if t.year < 2025 and records.units[t.unit_id].valid_to is not None}
    assert len(former) >= 5
    district = [c for c in records.competitions if c.level == "district_commune" and c.year < 2025]
    assert district and all(records.units[c.unit_id].valid_to == date(2025, 6, 30) for c in district)

    kinds = {o.kind for o in records.outcomes}
    assert {"enterprise_registered", "capital_raised", "product_certified", "incubated", "jobs_created"} <= kinds
    assert all(o.on <= date.today() for o in records.outcomes)
    assert progress[("enterprises_formed", 2022)].achieved > 0
    assert progress[("projects_raising_capital", 2022)].achieved >= 1
    # Certified advisers come from the registry's certificates; the yearly hand figures are shown apart.
    assert progress[("certified_advisers", 2022)].achieved == sum(ISSUED.values()) == 25
    assert sum(f.value for f in progress[("certified_advisers", 2022)].hand_figures) == sum(ADVISERS.values())
    _the_expert_network(db)

    # Units run their own part: the ward's 2026 contest is open and run by its officer, the
    # youth contests by a Tỉnh Đoàn officer; the 2023 Bình Sơn contest counts in Xã Bình Sơn's area.
    from contest.demo_units import WARD_OFFICER, WARD_SLUG, YOUTH_OFFICER
    from contest.domain import competitions, unit_officers
    from contest.models import OrgUnit, User

    ward_contest = competitions.find_by_slug(WARD_SLUG)
    assert ward_contest.state is CompetitionState.open and ward_contest.org_unit.code == "QNG-21025"
    with app.test_request_context():
        officer = db.session.scalar(select(User).where(User.email == WARD_OFFICER[0]))
        youth_officer = db.session.scalar(select(User).where(User.email == YOUTH_OFFICER[0]))
        assert not officer.is_admin and competitions.can_organize(officer, ward_contest)
        youth = competitions.find_by_slug("y-tuong-khoi-nghiep-thanh-nien-2024")
        assert competitions.can_organize(youth_officer, youth)
        assert not competitions.can_organize(officer, youth) and not competitions.can_organize(
            youth_officer, ward_contest
        )
        assert unit_officers.own_unit_ids(officer) == {ward_contest.org_unit_id}
        binh_son_district = db.session.scalar(
            select(Competition.org_unit_id).where(Competition.slug == "khoi-nghiep-binh-son-2023")
        )
        commune_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "QNG-21040"))  # Xã Bình Sơn
        assert binh_son_district in reports.unit_scope(commune_id)

    # The kinds of contest (issue 21): a 2025 youth idea contest with honoured ideas and
    # its frozen audience vote, a women's contest counting women-owned businesses apart,
    # and this year's audience vote running with a few hundred votes.
    from judging.models import Award, AwardTier, Vote, VoteCampaign, VoteSnapshot

    youth_2025 = competitions.find_by_slug("y-tuong-khoi-nghiep-thanh-nien-2025")
    assert youth_2025.ideas_only and (youth_2025.age_min, youth_2025.age_max) == (16, 30)
    honoured = db.session.scalar(
        select(func.count(Award.id))
        .join(AwardTier)
        .where(AwardTier.competition_id == youth_2025.id, AwardTier.name == "Tuyên dương ý tưởng")
    )
    assert honoured >= 2
    womens = competitions.find_by_slug("phu-nu-khoi-nghiep-2025")
    with app.test_request_context():
        figures = F.compute(records.competitions, [t for t in records.teams if t.competition_id == womens.id])
    assert 0 < figures.women_owned_businesses and figures.women_led_teams > figures.women_owned_businesses
    running = db.session.scalar(
        select(VoteCampaign).where(
            VoteCampaign.competition_id == competitions.find_by_slug("khoi-nghiep-quang-ngai-2026").id
        )
    )
    counted = db.session.scalar(
        select(func.count(Vote.id)).where(Vote.campaign_id == running.id, Vote.voided_at.is_(None))
    )
    assert counted >= 300 and db.session.scalar(
        select(func.count(Vote.id)).where(Vote.campaign_id == running.id, Vote.void_reason.is_not(None))
    )
    frozen = db.session.scalar(
        select(VoteSnapshot).join(VoteCampaign).where(VoteCampaign.competition_id == youth_2025.id)
    )
    assert frozen.award_tier.name == "Giải do khán giả bình chọn" and frozen.voided[0]["reason"]

    student = competitions.find_by_slug("khoi-nghiep-hoc-sinh-sinh-vien-2025")
    with app.test_request_context():
        by_school = reports.breakdowns(records, F.Filters(year=2025, level="student"))["school"]
    assert len(by_school.rows) >= 2 and sum(f.teams for _name, f in by_school.rows) == len(
        [t for t in records.teams if t.competition_id == student.id]
    )

    from contest.models import Entry, MediaType

    media = competitions.find_by_slug("giai-bao-chi-khoi-nghiep-2025")
    kinds_of_work = db.session.scalars(select(Entry.media_type).where(Entry.competition_id == media.id)).all()
    assert all(kinds_of_work.count(m) >= 2 for m in MediaType)
    _the_media_works_have_their_files(db, media)

    before = _row_counts(db)
    load_demo()
    assert _row_counts(db) == before


def _the_media_works_have_their_files(db, media) -> None:
    """Each printed or broadcast work carries its file, stored, and as a team's upload
    would have to be: the article a PDF, a radio work an MP3, a television work an MP4;
    the organizer has set how large a work's file may be."""
    from contest.domain.attachments import upload_rule
    from contest.domain.entries import has_unsubmitted_changes
    from contest.domain.uploads import validate_upload
    from contest.models import AttachmentKind, Entry, MediaType
    from contest.storage import get_storage

    expected = {MediaType.print: "pdf", MediaType.online: "pdf", MediaType.radio: "mp3", MediaType.television: "mp4"}
    assert media.work_file_max_mb == 50
    works = db.session.scalars(select(Entry).where(Entry.competition_id == media.id)).all()
    for entry in works:
        files = entry.current_attachments(AttachmentKind.description)
        if entry.media_type not in expected:
            assert not files and entry.work_url  # social media: the link
            continue
        assert len(files) == 1, entry.title
        data = get_storage().read(files[0].storage_key)
        kind, max_bytes = upload_rule(media, AttachmentKind.description)
        check = validate_upload(files[0].filename, data, kind, max_bytes=max_bytes)
        assert check.ok and check.detected == expected[entry.media_type], (entry.title, check)
        assert (files[0].size, files[0].sha256, files[0].content_type) == (check.size, check.sha256, check.content_type)
        assert len(data) < 64 * 1024 and not has_unsubmitted_changes(entry)


def _the_expert_network(db) -> None:
    """About 40 experts; the demo's judges are among them, with a history over the
    2022–2025 contests; two projects mentored."""
    from contest.models import Expert, Mentorship
    from judging.models import Judge

    assert 38 <= db.session.scalar(select(func.count(Expert.id))) <= 42
    years = set(
        db.session.scalars(
            select(Competition.year)
            .join(Judge, Judge.competition_id == Competition.id)
            .where(Judge.expert_id.is_not(None))
        )
    )
    assert {2022, 2023, 2024, 2025} <= years
    mentorships = list(db.session.scalars(select(Mentorship)))
    assert len(mentorships) == 2 and all(m.sessions for m in mentorships)
