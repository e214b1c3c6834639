"""The indicators from the database: one project however many contests it
entered, one enterprise per registration number, and a past year's report the
same whenever it is produced."""

from dataclasses import asdict, replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from contest.domain import followup, indicators, nominations
from contest.domain import yearly_report as yearly
from contest.models import Enterprise, OutcomeKind
from tests.contest.domain.test_nominations import levels  # noqa: F401 - the fixture
from tests.factories import make_competition, make_user, make_valid_entry


def _value(visible, indicator, start=2026):
    as_of = indicators.local_today()
    return next(v for v in indicators.values(visible, as_of) if v.indicator == indicator and v.start_year == start)


def test_a_project_that_went_commune_then_province_is_counted_once(app, db, levels):  # noqa: F811
    province = levels["province"]
    with app.test_request_context():
        indicators.ensure_plan()
        before_all = _value(None, "projects_supported").cumulative
        before_province = _value([province.id], "projects_supported").cumulative
        nomination = nominations.propose(levels["winner"], province, levels["commune_organizer"])
        nominations.accept(nomination, levels["province_secretary"])
        db.session.commit()
        after_all = _value(None, "projects_supported")
        after_province = _value([province.id], "projects_supported")
    assert (before_all, after_all.cumulative) == (3, 3)  # the winner, the runner-up, the loser: once each
    assert (before_province, after_province.cumulative) == (0, 1)
    assert [i.key for i in after_province.items] == [str(levels["winner"].project_id)]


def test_an_enterprise_recorded_twice_under_one_registration_number_is_counted_once(app, db, levels):  # noqa: F811
    winner, province = levels["winner"], levels["province"]
    user = make_user("theo-doi@example.vn")
    with app.test_request_context():
        indicators.ensure_plan()
        nomination = nominations.propose(winner, province, levels["commune_organizer"])
        upper = nominations.accept(nomination, levels["province_secretary"])
        for entry, number in ((winner, "4300 123 456"), (upper, "4300123456")):
            followup.record_outcome(
                entry,
                followup.OutcomeInput(
                    OutcomeKind.enterprise_registered,
                    date.today(),
                    "Cổng thông tin ĐKDN",
                    detail="Công ty TNHH Tỏi đen",
                    registration_number=number,
                ),
                user,
            )
        db.session.commit()
        value = _value(None, "enterprises_formed")
    assert db.session.scalar(select(func.count(Enterprise.id))) == 1
    assert value.cumulative == 1 and [i.key for i in value.items] == ["4300123456"]


def _past_year(app, db):
    """A 2024 contest, then 2025 facts about its projects: a later contest, an enterprise, a raise."""
    contest_2024 = make_competition("tinh-2024")
    entries = [make_valid_entry(contest_2024) for _ in range(3)]
    contest_2024.year, contest_2024.submission_deadline = 2024, datetime(2024, 9, 30, 10, tzinfo=UTC)
    contest_2025 = make_competition("tinh-2025")
    later = make_valid_entry(contest_2025)
    later.project_id = entries[0].project_id  # the same project came back in 2025
    contest_2025.year, contest_2025.submission_deadline = 2025, datetime(2025, 9, 30, 10, tzinfo=UTC)
    db.session.commit()
    user = make_user("bao-cao@example.vn")
    with app.test_request_context():
        indicators.ensure_plan()
        followup.record_outcome(
            entries[1],
            followup.OutcomeInput(
                OutcomeKind.enterprise_registered,
                date(2024, 11, 5),
                "ĐKDN",
                detail="Công ty B",
                registration_number="4300000001",
            ),
            user,
        )
        followup.record_outcome(
            entries[2],
            followup.OutcomeInput(
                OutcomeKind.enterprise_registered,
                date(2025, 2, 1),
                "ĐKDN",
                detail="Công ty C",
                registration_number="4300000002",
            ),
            user,
        )
        followup.record_outcome(
            entries[0],
            followup.OutcomeInput(
                OutcomeKind.capital_raised,
                date(2025, 5, 1),
                "Báo Quảng Ngãi",
                detail="Quỹ miền Trung",
                amount=500_000_000,
            ),
            user,
        )
        followup.set_figure(2024, followup.PlanIndicator.certified_advisers, 8, "", user, "Báo cáo 2024")
        followup.set_figure(2025, followup.PlanIndicator.certified_advisers, 5, "", user, "Báo cáo 2025")
        from contest.domain import experts

        for name, issued in (("Cố vấn 2024", date(2024, 6, 1)), ("Cố vấn 2025", date(2025, 6, 1))):
            expert = experts.create_expert(experts.ExpertInput(full_name=name), by=user)
            experts.add_certification(
                expert, experts.CertificationInput("Cố vấn khởi nghiệp", "Bộ KH&CN", "", issued), by=user
            )
        db.session.commit()


def _comparable(report):
    return asdict(replace(report, generated_on=None, subtitle=""))


def test_a_past_years_report_is_the_same_whenever_it_is_produced(app, db):
    _past_year(app, db)
    with app.test_request_context():
        produced_today = yearly.build(2024, None, "Sở KH&CN", today=date(2026, 12, 6))
        produced_then = yearly.build(2024, None, "Sở KH&CN", today=date(2024, 12, 31))
        counted_to_today = {
            v.indicator: v.cumulative for v in indicators.values(None, date(2025, 12, 31)) if v.start_year == 2022
        }
    assert _comparable(produced_today) == _comparable(produced_then)
    rows = {row.progress.indicator: row for row in produced_today.indicators}
    assert {
        k: (r.year_value, r.progress.cumulative)
        for k, r in rows.items()
        if k in ("projects_supported", "enterprises_formed", "projects_raising_capital", "certified_advisers")
    } == {
        "projects_supported": (3, 3),
        "enterprises_formed": (1, 1),
        "projects_raising_capital": (0, 0),
        "certified_advisers": (1, 1),  # from the registry's certifications; hand figures are shown apart
    }
    # The later facts are there: counted to the end of 2025 they show.
    assert counted_to_today["enterprises_formed"] == 2 and counted_to_today["projects_raising_capital"] == 1
    assert counted_to_today["certified_advisers"] == 2 and counted_to_today["projects_supported"] == 3
    assert {r.progress.indicator for r in produced_today.indicators} == {
        "projects_supported",
        "enterprises_formed",
        "projects_raising_capital",
        "certified_advisers",
        "support_organisations",
        "service_areas",
    }


def test_plan_load_gives_a_fresh_install_decision_827_once(app, db):
    from contest.models import Plan, PlanTarget

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["plan", "load"])
        assert result.exit_code == 0, result.output
    assert "827/QĐ-UBND" in result.output and "support_organisations" in result.output
    assert db.session.scalar(select(func.count(Plan.id))) == 1
    periods = {}
    for target in db.session.scalars(select(PlanTarget)):
        periods.setdefault((target.start_year, target.end_year), {})[target.indicator.value] = (target.low, target.high)
    assert periods[2022, 2025] == {
        "projects_supported": (100, 120),
        "enterprises_formed": (30, 35),
        "projects_raising_capital": (1, 2),
        "support_organisations": (12, 14),
        "service_areas": (1, 2),
        "certified_advisers": (25, 30),
    }
    assert periods[2026, 2030] == {
        "projects_supported": (150, 160),
        "enterprises_formed": (55, 60),
        "projects_raising_capital": (2, 3),
        "certified_advisers": (40, 50),
    }


def test_an_enterprise_goes_with_the_last_record_that_names_it(app, db, levels):  # noqa: F811
    winner = levels["winner"]
    user = make_user("theo-doi-2@example.vn")
    with app.test_request_context():
        first, second = (
            followup.record_outcome(
                winner,
                followup.OutcomeInput(
                    OutcomeKind.enterprise_registered, date.today(), "ĐKDN", registration_number=number
                ),
                user,
            )
            for number in ("4300-555-666", "4300555666")
        )
        followup.delete_outcome(first, "Ghi trùng")
        db.session.commit()
        assert db.session.scalar(select(func.count(Enterprise.id))) == 1
        followup.delete_outcome(second, "Nhầm dự án")
        db.session.commit()
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0


def test_an_enterprise_follows_the_records_that_remain_when_the_one_it_came_from_is_removed(app, db, levels):  # noqa: F811
    """Recorded by mistake on the runner-up with a wrong date, then on the winner (the
    same number) with the right one; the mistaken record is removed: the enterprise is
    the winner's, founded on the remaining record's date, and counted in that year."""
    from contest.models import AuditEvent

    winner, runner_up = levels["winner"], levels["runner_up"]
    user = make_user("theo-doi-3@example.vn")
    with app.test_request_context():
        indicators.ensure_plan()
        wrong, right = (
            followup.record_outcome(
                entry,
                followup.OutcomeInput(
                    OutcomeKind.enterprise_registered, day, "ĐKDN", detail=name, registration_number="4300 246 810"
                ),
                user,
            )
            for entry, day, name in (
                (runner_up, date(2025, 3, 1), "Công ty nhầm"),
                (winner, date(2026, 3, 1), "Công ty TNHH Tỏi đen"),
            )
        )
        followup.delete_outcome(wrong, "Ghi nhầm dự án")
        db.session.commit()
        enterprise = db.session.scalar(select(Enterprise))
        assert (enterprise.project_id, enterprise.founded_on, enterprise.name) == (
            winner.project_id,
            date(2026, 3, 1),
            "Công ty TNHH Tỏi đen",
        )
        value = _value(None, "enterprises_formed")  # 2026–2030: founded in 2026, the winner's
        assert value.per_year[2026] == 1 and [i.label for i in value.items] == ["Công ty TNHH Tỏi đen"]
        corrected = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enterprise.corrected"))
        assert corrected.before["founded_on"] == "2025-03-01" and corrected.after["founded_on"] == "2026-03-01"


def test_a_figure_or_target_saved_twice_at_the_same_moment_is_saved_once_without_an_error(app, db):
    """A double click on "Save" (or two administrators at once) on a figure or target
    not yet recorded: the second finds the first and changes it, audited, not a 500."""
    if db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import AuditEvent, PlanFigure, PlanIndicator, PlanTarget, User
    from tests.conftest import at_the_same_moment

    admin_id = make_user("admin-cung-luc@example.vn", admin=True).id
    with app.test_request_context():
        indicators.ensure_plan()
    db.session.commit()

    def figure(i, ready):
        with app.test_request_context():
            user = db.session.get(User, admin_id)
            ready()
            return followup.set_figure(2025, PlanIndicator.service_areas, 1 + i, "", user, "QĐ 9/QĐ-SKHCN").value

    def target(i, ready):
        with app.test_request_context():
            ready()
            return followup.set_target(2031, 2035, PlanIndicator.projects_supported, 100, 110 + i).high

    assert sorted(at_the_same_moment(app, figure), key=str) == [1, 2]
    assert sorted(at_the_same_moment(app, target), key=str) == [110, 111]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PlanFigure.id))) == 1
    assert db.session.scalar(select(func.count(PlanTarget.id)).where(PlanTarget.start_year == 2031)) == 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(["plan.figure_set", "plan.target_set"]))
    ).all()
    assert sorted(actions) == ["plan.figure_set"] * 2 + ["plan.target_set"] * 2


def test_one_enterprise_recorded_on_two_entries_at_the_same_moment_is_one_enterprise(app, db, levels):  # noqa: F811
    """The organizers on the commune entry and the team on the provincial one record the
    same registration number at once: both records are kept, one enterprise, no 500."""
    if db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import Entry, User
    from tests.conftest import at_the_same_moment

    entry_ids = [levels["winner"].id, levels["runner_up"].id]
    user_id = make_user("theo-doi-4@example.vn").id

    def record(i, ready):
        with app.test_request_context():
            entry, user = db.session.get(Entry, entry_ids[i]), db.session.get(User, user_id)
            ready()
            data = followup.OutcomeInput(
                OutcomeKind.enterprise_registered, date(2026, 3, 1), "ĐKDN", registration_number="4300 135 791"
            )
            return followup.record_outcome(entry, data, user).id

    results = at_the_same_moment(app, record)
    assert all(isinstance(r, int) for r in results), results
    assert db.session.scalar(select(func.count(Enterprise.id))) == 1
