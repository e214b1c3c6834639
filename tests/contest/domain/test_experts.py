"""The expert network: certified advisers counted from certifications, consent
to the public directory, declared conflicts proposed in later contests, mentoring."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from contest.domain import experts, followup, indicators, reporting_cycle
from contest.domain.errors import DomainError
from contest.models import AuditEvent, ConflictKind, ExpertRole, PlanIndicator
from contest.reports import indicators as I
from tests.factories import make_competition, make_user, make_valid_entry, pdf_bytes


def _expert(name: str, **kw):
    return experts.create_expert(experts.ExpertInput(full_name=name, **kw), by=None)


def _certify(expert, issued_on, expires_on=None, scan=None):
    return experts.add_certification(
        expert,
        experts.CertificationInput(
            "Cố vấn khởi nghiệp ĐMST", "Bộ Khoa học và Công nghệ", "CV-01", issued_on, expires_on, "scan.pdf", scan
        ),
        by=None,
    )


def test_the_2024_count_takes_certifications_valid_in_2024_and_none_issued_in_2025(app, db):
    with app.test_request_context():
        indicators.ensure_plan()
        lan = _expert("Nguyễn Thị Lan")
        _certify(lan, date(2022, 5, 1))  # no expiry: valid every year since
        minh = _expert("Trần Văn Minh")
        _certify(minh, date(2023, 3, 1), date(2024, 6, 30))  # valid in part of 2024
        _certify(minh, date(2024, 9, 1))  # a second certificate: one person, counted once
        hoa = _expert("Lê Thị Hoa")
        _certify(hoa, date(2021, 1, 1), date(2023, 12, 31))  # expired before 2024
        an = _expert("Phạm An")
        _certify(an, date(2025, 2, 1), scan=pdf_bytes("Giấy chứng nhận"))  # issued in 2025
        # A hand-entered figure with its source is kept apart, never added.
        followup.set_figure(2024, PlanIndicator.certified_advisers, 40, "", make_user(), "Báo cáo 12/BC-SKHCN")
        db.session.commit()
        facts = indicators.load_facts(None)
        year_2024 = I.for_year("certified_advisers", facts, 2024)
        period = I.compute("certified_advisers", facts, 2022, 2025, date(2025, 12, 31))
        so_far = I.compute("certified_advisers", facts, 2022, 2025, date(2024, 12, 31))
    assert year_2024.cumulative == 2
    assert sorted(i.label for i in year_2024.items) == ["Nguyễn Thị Lan", "Trần Văn Minh"]
    assert [(f.year, f.value) for f in year_2024.hand_figures] == [(2024, 40)]
    assert period.per_year == {2022: 2, 2023: 3, 2024: 2, 2025: 3}
    assert period.cumulative == 4 and len(period.items) == 4
    assert [i.label for i in period.year_items[2025]].count("Phạm An") == 1
    assert so_far.cumulative == 3  # counted to 31/12/2024: An's 2025 certificate is not there yet
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "certification.recorded"))


def test_a_hand_figure_for_certified_advisers_needs_its_source(app, db):
    with app.test_request_context(), pytest.raises(DomainError):
        followup.set_figure(2024, PlanIndicator.certified_advisers, 9, "", make_user(), "")


def test_a_scan_that_is_not_a_pdf_or_image_is_refused(app, db):
    with app.test_request_context():
        expert = _expert("Võ Văn Kiệt")
        with pytest.raises(DomainError) as refused:
            _certify(expert, date(2024, 1, 1), scan=b"MZ\x90\x00 not a scan")
    assert refused.value.field == "scan"


def test_a_certification_issued_after_today_is_refused(app, db, monkeypatch):
    from contest.domain import unit_officers

    monkeypatch.setattr(unit_officers, "today", lambda: date(2025, 6, 1))
    with app.test_request_context():
        expert = _expert("Lê Văn Tám")
        with pytest.raises(DomainError) as refused:
            _certify(expert, date(2025, 6, 2))
        assert refused.value.field == "issued_on"
        assert _certify(expert, date(2025, 6, 1)).issued_on == date(2025, 6, 1)


def test_withdrawing_consent_removes_from_the_directory_at_once_and_past_judging_stays(app, db):
    from judging.domain import results
    from tests.factories import announce_results, make_judge

    user = make_user("chuyen-gia@example.vn", name="Đặng Thu Hà")
    competition = make_competition("thi-2025", year=2025)
    entries = [make_valid_entry(competition), make_valid_entry(competition)]
    judge = make_judge(competition, user)
    with app.test_request_context():
        expert = experts.create_expert(
            experts.ExpertInput(full_name="Đặng Thu Hà", fields=("Nông nghiệp",), roles=(ExpertRole.judge,)),
            by=None,
            user=user,
        )
        experts.set_consent(expert, True, ["organisation", "fields"])
        db.session.commit()
    round_ = announce_results(app, competition, entries, judge=judge)
    with app.test_request_context():
        assert [e.full_name for e in experts.public_directory()] == ["Đặng Thu Hà"]
        assert [e.full_name for e in experts.public_directory("Nông nghiệp")] == ["Đặng Thu Hà"]
        experts.set_consent(expert, False)
        db.session.commit()
        assert experts.public_directory() == []
        computed = results.compute(round_)
    assert {i[0] for i in computed.inputs} == {judge.id}  # the judge's scores still count
    assert len(computed.standings) == 2
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "expert.consent_withdrawn"))


def test_mentoring_counts_the_project_as_supported_and_sessions_are_logged(app, db):
    competition = make_competition("thi-2024", year=2024)
    entry = make_valid_entry(competition)
    with app.test_request_context():
        expert = _expert("Ngô Bảo Châu")
        mentorship = experts.assign_mentor(
            expert, entry.project, starts_on=date(2026, 2, 1), org_unit_id=competition.org_unit_id, by=None
        )
        experts.log_session(mentorship, held_on=date(2026, 2, 10), topic="Mô hình kinh doanh", hours="1,5", by=None)
        with pytest.raises(DomainError):
            experts.log_session(mentorship, held_on=date(2026, 1, 10), topic="Trước kỳ", hours="1", by=None)
        with pytest.raises(DomainError):
            experts.log_session(mentorship, held_on=date(2026, 3, 1), topic="Quá dài", hours="30", by=None)
        db.session.commit()
        facts = indicators.load_facts(None)
        unit_2026 = reporting_cycle.unit_figures(competition.org_unit, 2026)
        unit_2025 = reporting_cycle.unit_figures(competition.org_unit, 2025)
    assert unit_2026.counts["mentoring"] == 1 and f"entry:{entry.id}" in unit_2026.projects  # the unit's yearly results
    assert unit_2025.counts["mentoring"] == 0
    value = I.for_year("projects_supported", facts, 2026)
    assert [i.label for i in value.items] and str(entry.project_id) in {i.key for i in value.items}
    assert [str(s.hours) for s in mentorship.sessions] == ["1.5"]
    assert ExpertRole.mentor.value in expert.role_values


def test_a_certification_removed_as_a_mistake_no_longer_counts_and_the_audit_keeps_it(app, db):
    with app.test_request_context():
        lan = _expert("Nguyễn Thị Lan")
        _certify(lan, date(2022, 5, 1))
        minh = _expert("Trần Văn Minh")
        wrong = _certify(minh, date(2024, 3, 1), scan=pdf_bytes("Nhầm người"))
        db.session.commit()
        before = I.for_year("certified_advisers", indicators.load_facts(None), 2024)
        officer = make_user("can-bo@example.vn", admin=True)
        with pytest.raises(DomainError):
            experts.remove_certification(wrong, reason="  ", by=officer)
        experts.remove_certification(wrong, reason="Nhập nhầm người", by=officer)
        db.session.commit()
        after = I.for_year("certified_advisers", indicators.load_facts(None), 2024)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certification.removed"))
    assert before.cumulative == 2 and sorted(i.label for i in before.items) == ["Nguyễn Thị Lan", "Trần Văn Minh"]
    assert after.cumulative == 1 and [i.label for i in after.items] == ["Nguyễn Thị Lan"]
    assert minh.certifications == []
    assert event.before["programme"] == "Cố vấn khởi nghiệp ĐMST" and event.before["issued_on"] == "2024-03-01"
    assert event.before["expert"] == minh.id and event.after is None
    assert event.reason == "Nhập nhầm người" and event.actor_id == officer.id


def test_an_ended_conflict_is_no_longer_proposed_and_the_end_is_audited(app, db):
    from judging.domain import pool
    from judging.models import Conflict

    with app.test_request_context():
        expert = _expert("Hồ Văn Bình", email="binh@example.vn", roles=(ExpertRole.judge,))
        conflict = experts.declare_conflict(expert, ConflictKind.company, "Công ty Cũ", on=date(2025, 4, 2))
        assert experts.active_conflicts(expert, date(2025, 9, 30)) == [conflict]
        experts.end_conflict(conflict, on=date(2025, 10, 1), by=None)
        with pytest.raises(DomainError):
            experts.end_conflict(conflict, on=date(2025, 11, 1), by=None)
        db.session.commit()
        assert experts.active_conflicts(expert, date(2025, 9, 30)) == [conflict]  # it applied until then
        assert experts.active_conflicts(expert, date(2025, 10, 1)) == []
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "expert.conflict_ended"))
    assert event.before["ended_on"] is None and event.after["ended_on"] == "2025-10-01"
    competition = make_competition("thi-2026", year=2026)
    touched = make_valid_entry(competition)
    touched.team.organisation = "Công ty Cũ"
    db.session.commit()
    with app.test_request_context():
        judge = pool.invite_expert(competition, expert, invited_by=make_user("btc@example.vn"))
        db.session.commit()
        assert db.session.scalar(select(Conflict.id).where(Conflict.judge_id == judge.id)) is None


@pytest.mark.parametrize(
    ("expires_on", "on", "state"),
    [
        (None, date(2026, 12, 6), experts.CertificationState.no_expiry),
        (date(2026, 12, 31), date(2026, 12, 6), experts.CertificationState.in_force),
        (date(2026, 12, 6), date(2026, 12, 6), experts.CertificationState.in_force),  # its last day still holds
        (date(2026, 12, 5), date(2026, 12, 6), experts.CertificationState.expired),
        (date(2020, 1, 1), date(2026, 12, 6), experts.CertificationState.expired),
    ],
)
def test_a_certification_is_in_force_until_its_expiry_day_and_without_one_never_expires(expires_on, on, state):
    assert experts.certification_state(expires_on, on) is state


def test_a_change_of_the_introduction_alone_is_audited(app, db):
    with app.test_request_context():
        expert = _expert("Hồ Giới Thiệu", bio="Cũ")
        experts.update_expert(expert, experts.ExpertInput(full_name="Hồ Giới Thiệu", bio="Mới"))
        db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "expert.updated"))
    assert event is not None and event.before["bio"] == "Cũ" and event.after["bio"] == "Mới"


def test_a_date_of_the_registry_outside_2000_to_2100_is_refused(app, db):
    entry = make_valid_entry(make_competition("thi-2026-nam", year=2026))
    with app.test_request_context():
        expert = _expert("Bùi Năm Lạ")
        for issued_on, expires_on, field in (
            (date(1, 1, 1), None, "issued_on"),
            (date(1999, 12, 31), None, "issued_on"),
            (date(2024, 1, 1), date(9999, 12, 31), "expires_on"),
        ):
            with pytest.raises(DomainError) as refused:
                _certify(expert, issued_on, expires_on)
            assert refused.value.field == field
        assert expert.certifications == []
        for starts_on, ends_on, field in (
            (date(1, 1, 1), None, "starts_on"),
            (date(2026, 1, 1), date(9999, 1, 1), "ends_on"),
        ):
            with pytest.raises(DomainError) as refused:
                experts.assign_mentor(expert, entry.project, starts_on=starts_on, ends_on=ends_on, by=None)
            assert refused.value.field == field
        assert _certify(expert, date(2000, 1, 1)).issued_on == date(2000, 1, 1)


def test_a_session_held_after_today_is_refused(app, db, monkeypatch):
    from contest.domain import unit_officers

    monkeypatch.setattr(unit_officers, "today", lambda: date(2026, 12, 7))
    entry = make_valid_entry(make_competition("thi-2026-buoi", year=2026))
    with app.test_request_context():
        mentorship = experts.assign_mentor(_expert("Lý Sắp Tới"), entry.project, starts_on=date(2026, 1, 5), by=None)
        with pytest.raises(DomainError) as refused:
            experts.log_session(mentorship, held_on=date(2027, 5, 10), topic="Chưa diễn ra", hours="2", by=None)
        assert refused.value.field == "held_on" and mentorship.sessions == []
        experts.log_session(mentorship, held_on=date(2026, 12, 7), topic="Hôm nay", hours="2", by=None)
        assert [s.topic for s in mentorship.sessions] == ["Hôm nay"]


def test_a_press_work_is_no_project_to_mentor_and_labels_alike_are_told_apart_by_the_code(app, db):
    from tests.factories import make_press_work, make_team

    first = make_valid_entry(make_competition("tinh-mot", name="Cuộc thi tỉnh năm 2026"), name="Đội Trùng")
    second = make_valid_entry(make_competition("tinh-hai", name="Cuộc thi tỉnh năm 2026"), name="Đội Trùng")
    press = make_press_work(make_team(make_competition("bao-chi", preset="media_award"), members=1))
    with app.test_request_context():
        choices = dict(experts.projects_to_mentor())
        assert choices == {
            first.project_id: f"Tỏi đen Lý Sơn — Đội Trùng, Cuộc thi tỉnh năm 2026 ({first.code})",
            second.project_id: f"Tỏi đen Lý Sơn — Đội Trùng, Cuộc thi tỉnh năm 2026 ({second.code})",
        }
        with pytest.raises(DomainError) as refused:
            experts.assign_mentor(_expert("Phan Báo Chí"), press.project, starts_on=date(2026, 1, 5), by=None)
        assert refused.value.field == "project"
