"""Unit officers, units in force on a competition's dates, and history counted
once across a reform."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from contest.domain import competitions, reports, unit_officers
from contest.domain.accounts import deactivate
from contest.domain.errors import DomainError
from contest.models import AuditEvent, CompetitionState, EntryStatus, OrgUnitKind, UnitOfficerRole
from contest.models.base import utcnow
from contest.reports import figures as F
from tests.factories import fill_entry, make_competition, make_team, make_unit, make_user


def _ward(code="QNG-21025", name="Phường Cẩm Thành"):
    province = make_unit("QNG-51", "Tỉnh Quảng Ngãi", OrgUnitKind.province, valid_from=date(2025, 7, 1))
    return province, make_unit(code, name, OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1))


def _officer(unit, email, admin):
    user = make_user(email)
    unit_officers.appoint(unit, email, UnitOfficerRole.focal_point, by=admin, valid_from=date(2025, 7, 1))
    return user


def test_creating_a_competition_for_a_unit_not_in_force_that_year_is_refused_naming_its_dates(app, db):
    district = make_unit("QNG-BS", "Huyện Bình Sơn", valid_from=date(2020, 2, 1), valid_to=date(2025, 6, 30))
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        competitions.create_competition(
            name="Cuộc thi 2026", year=2026, slug="binh-son-2026", org_unit=district, preset_name="district_commune"
        )
    assert "Huyện Bình Sơn" in refused.value.message
    assert "01/02/2020" in refused.value.message and "30/06/2025" in refused.value.message
    assert refused.value.field == "org_unit"
    with app.test_request_context(), pytest.raises(DomainError, match="01/07/2025"):
        _province, ward = _ward()
        competitions.create_competition(
            name="Cuộc thi 2024", year=2024, slug="cam-thanh-2024", org_unit=ward, preset_name="district_commune"
        )


def test_opening_a_competition_that_runs_past_its_units_end_is_refused_naming_its_dates(app, db):
    district = make_unit("QNG-BS", "Huyện Bình Sơn", valid_from=date(2020, 2, 1), valid_to=date(2025, 6, 30))
    with app.test_request_context():
        competition = competitions.create_competition(
            name="Cuộc thi 2025", year=2025, slug="binh-son-2025", org_unit=district, preset_name="district_commune"
        )
        competition.registration_opens_at = datetime(2025, 5, 1, 1, tzinfo=UTC)
        competition.submission_deadline = datetime(2025, 8, 31, 10, tzinfo=UTC)
        with pytest.raises(DomainError) as refused:
            competitions.change_state(
                competition, CompetitionState.open, confirmed=True, now=datetime(2025, 5, 2, tzinfo=UTC)
            )
        assert "30/06/2025" in refused.value.message and "31/08/2025" in refused.value.message
        assert competition.state is CompetitionState.draft
        # Within the unit's dates it opens.
        competition.submission_deadline = datetime(2025, 6, 20, 10, tzinfo=UTC)
        competitions.change_state(
            competition, CompetitionState.open, confirmed=True, now=datetime(2025, 5, 2, tzinfo=UTC)
        )
        assert competition.state is CompetitionState.open
        # Once open, its dates cannot move past the unit's end, nor its year away from the unit's years.
        with pytest.raises(DomainError, match="30/06/2025") as moved:
            competitions.update_settings(competition, submission_deadline=datetime(2025, 7, 15, 10, tzinfo=UTC))
        assert moved.value.field == "submission_deadline"
        db.session.rollback()
        with pytest.raises(DomainError, match="2026"):
            competitions.update_settings(competition, year=2026)


def test_a_team_of_a_ward_formed_after_the_reform_submits_to_the_wards_contest(app, db):
    admin = make_user("admin@example.vn", admin=True)
    _province, ward = _ward()
    with app.test_request_context():
        officer = _officer(ward, "canbo@camthanh.vn", admin)
        year = max(utcnow().year, 2026)
        competition = unit_officers.create_competition(
            officer, ward, name="Khởi nghiệp Cẩm Thành", year=year, slug="cam-thanh", preset_name="district_commune"
        )
        assert competition.restrict_to_unit and competition.org_unit is ward
        competition.submission_deadline = utcnow() + timedelta(days=30)
        competitions.change_state(competition, CompetitionState.open, confirmed=True)
        team = make_team(competition, name="Đội Cẩm Thành", org_unit=ward)
        entry = fill_entry(team)
        from contest.domain.entries import submit

        submit(entry, team.leader)
        assert entry.status is EntryStatus.submitted


def test_an_officer_manages_their_units_competitions_only_and_a_parent_unit_sees_its_childrens(app, db):
    admin = make_user("admin@example.vn", admin=True)
    province, ward = _ward()
    other_ward = make_unit(
        "QNG-21028", "Phường Nghĩa Lộ", OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1)
    )
    with app.test_request_context():
        ward_officer = _officer(ward, "canbo@camthanh.vn", admin)
        province_officer = _officer(province, "canbo@tinh.vn", admin)
        mine = make_competition("cam-thanh-2026", preset="district_commune", unit=ward, open_=False)
        theirs = make_competition("nghia-lo-2026", preset="district_commune", unit=other_ward, open_=False)
        assert competitions.can_organize(ward_officer, mine) and not competitions.can_organize(ward_officer, theirs)
        assert competitions.visible_to(ward_officer, mine) and not competitions.visible_to(ward_officer, theirs)
        # The province's officer sees both wards' drafts and reports, and manages neither.
        assert competitions.visible_to(province_officer, theirs)
        assert not competitions.can_organize(province_officer, theirs)
        assert set(reports.visible_competition_ids(province_officer)) == {mine.id, theirs.id}
        assert reports.visible_competition_ids(ward_officer) == [mine.id]
        # Appointing: from above, never from below or beside.
        assert unit_officers.may_appoint(province_officer, ward)
        assert not unit_officers.may_appoint(ward_officer, other_ward)
        assert not unit_officers.may_appoint(ward_officer, province)
        with pytest.raises(DomainError):
            unit_officers.appoint(other_ward, "canbo@camthanh.vn", UnitOfficerRole.leader, by=ward_officer)
        # Creating another unit's competition is refused, as is a level the unit's kind does not run.
        with pytest.raises(DomainError):
            unit_officers.create_competition(
                ward_officer, other_ward, name="X", year=2026, slug="x-2026", preset_name="district_commune"
            )
        with pytest.raises(DomainError) as wrong_level:
            unit_officers.create_competition(
                ward_officer, ward, name="X", year=2026, slug="x-2026", preset_name="provincial"
            )
        assert wrong_level.value.field == "preset"


def test_an_ended_role_or_a_deactivated_account_manages_nothing(app, db):
    admin = make_user("admin@example.vn", admin=True)
    _province, ward = _ward()
    with app.test_request_context():
        officer = _officer(ward, "canbo@camthanh.vn", admin)
        competition = make_competition("cam-thanh-2026", preset="district_commune", unit=ward, open_=False)
        assert competitions.can_organize(officer, competition)
        deactivate(officer, by=admin)
        unit_officers.forget_cache()
        assert not competitions.can_organize(officer, competition)
        assert unit_officers.own_unit_ids(officer) == frozenset()
    with app.test_request_context():
        officer.is_active_account = True
        unit_officers.forget_cache()
        role = unit_officers.officers_of(ward)[0]
        unit_officers.end(role, by=admin)
        assert not competitions.can_organize(officer, competition)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert {"unit_officer.appointed", "account.deactivated", "unit_officer.ended"} <= set(actions)


def test_a_unit_split_into_three_successors_is_counted_once_in_the_provinces_totals(app, db):
    """Huyện D (2020–2025) went to three new communes of the new province, which
    succeeded the old one. Its 2023 contest's two teams are counted in each
    commune's area, and once, not three times, in the province's."""
    old_province = make_unit("QNG", "Tỉnh Quảng Ngãi (cũ)", OrgUnitKind.province, valid_to=date(2025, 6, 30))
    new_province = make_unit("QNG-51", "Tỉnh Quảng Ngãi", OrgUnitKind.province, valid_from=date(2025, 7, 1))
    from contest.models import OrgUnitSuccession

    db.session.add(OrgUnitSuccession(predecessor=old_province, successor=new_province, on=date(2025, 7, 1)))
    communes = [
        make_unit(f"QNG-2{i}", f"Xã {i}", OrgUnitKind.commune, parent=new_province, valid_from=date(2025, 7, 1))
        for i in range(3)
    ]
    district = make_unit(
        "QNG-TN",
        "Huyện Tư Nghĩa",
        OrgUnitKind.district,
        parent=old_province,
        valid_from=date(2020, 2, 1),
        valid_to=date(2025, 6, 30),
        successors=communes,
    )
    with app.test_request_context():
        contest = make_competition("tu-nghia-2023", preset="district_commune", unit=district, year=2023)
        for name in ("Đội Một", "Đội Hai"):
            make_team(contest, name=name, org_unit=district)
        contest.state = CompetitionState.closed
        db.session.commit()
        records = reports.load_records(None)
        province_scope = reports.unit_scope(new_province.id)
        commune_scopes = [reports.unit_scope(c.id) for c in communes]
        province = F.compute(records.competitions, records.teams, F.Filters(unit_ids=province_scope))
        per_commune = [F.compute(records.competitions, records.teams, F.Filters(unit_ids=s)) for s in commune_scopes]
    assert all(district.id in scope for scope in commune_scopes)
    assert [f.teams for f in per_commune] == [2, 2, 2]
    assert (province.competitions, province.teams) == (1, 2)


def test_an_officer_of_a_unit_above_deactivates_an_account_serving_only_below_and_no_other(app, db):
    admin = make_user("admin@example.vn", admin=True)
    province, ward = _ward()
    other_province = make_unit("QNG-99", "Tỉnh khác", OrgUnitKind.province, valid_from=date(2025, 7, 1))
    with app.test_request_context():
        province_officer = _officer(province, "canbo@tinh.vn", admin)
        ward_officer = _officer(ward, "canbo@camthanh.vn", admin)
        elsewhere = _officer(ward, "hai-noi@example.vn", admin)
        unit_officers.appoint(
            other_province, "hai-noi@example.vn", UnitOfficerRole.focal_point, by=admin, valid_from=date(2025, 7, 1)
        )
        plain = make_user("doi@example.vn")
        # Below: a colleague, someone who also serves a unit out of reach, an account with no unit role.
        with pytest.raises(DomainError):
            deactivate(province_officer, by=ward_officer)
        for out_of_reach in (elsewhere, plain, admin):
            with pytest.raises(DomainError):
                deactivate(out_of_reach, by=province_officer)
        assert elsewhere.is_active_account and plain.is_active_account
        deactivate(ward_officer, by=province_officer)
        assert not ward_officer.is_active_account
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.deactivated")).one()
    assert event.actor_id == province_officer.id and event.after["active"] is False
