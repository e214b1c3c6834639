"""A unit's pages: dashboard, history, officers, the officer's new competition,
and the administrator's new-competition form after the 2025 reform."""

import re
from datetime import date

from sqlalchemy import select

from contest.domain import unit_officers
from contest.models import AuditEvent, Competition, OrgUnitKind, UnitOfficer, UnitOfficerRole
from contest.models.base import utcnow
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_team,
    make_unit,
    make_user,
    make_valid_entry,
)


def _map(db):
    old_province = make_unit("QNG", "Tỉnh Quảng Ngãi (trước 2025)", OrgUnitKind.province, valid_to=date(2025, 6, 30))
    province = make_unit("QNG-51", "Tỉnh Quảng Ngãi", OrgUnitKind.province, valid_from=date(2025, 7, 1))
    wards = [
        make_unit(f"QNG-2102{i}", name, OrgUnitKind.ward, parent=province, valid_from=date(2025, 7, 1))
        for i, name in enumerate(["Phường Cẩm Thành", "Phường Nghĩa Lộ", "Phường Trương Quang Trọng"])
    ]
    city = make_unit(
        "QNG-TP",
        "Thành phố Quảng Ngãi",
        OrgUnitKind.city,
        parent=old_province,
        valid_from=date(2020, 2, 1),
        valid_to=date(2025, 6, 30),
        successors=wards,
    )
    return province, wards, city


def _officer(db, unit, email):
    user = make_user(email)
    db.session.add(
        UnitOfficer(
            org_unit=unit, user=user, role=UnitOfficerRole.focal_point, valid_from=date(2025, 7, 1), granted_at=utcnow()
        )
    )
    db.session.commit()
    return user


def _figure(page: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">([\d.]+)<', page).group(1).replace(".", ""))


def test_the_dashboard_counts_the_units_history_and_its_childrens(client, db):
    province, wards, city = _map(db)
    old = make_competition("khoi-nghiep-tp-2024", preset="district_commune", unit=city, year=2024)
    make_team(old, name="Đội Thành phố", org_unit=city)
    make_competition("cam-thanh-2026", preset="district_commune", unit=wards[0], open_=False)
    officer = _officer(db, wards[0], "canbo@camthanh.vn")
    login(client, officer)
    page = client.get(f"/units/{wards[0].id}/").get_data(as_text=True)
    assert "Cuộc thi khoi-nghiep-tp-2024" in page  # the city's contest: the ward took part of it over
    assert "Cuộc thi cam-thanh-2026" in page and _figure(page, "teams") == 1
    assert f"/units/{wards[0].id}/competitions/new" in page
    # The province's officer sees the ward's page (and its draft), without the button to create its contests.
    province_officer = _officer(db, province, "canbo@tinh.vn")
    other = client.application.test_client()
    login(other, province_officer)
    page = other.get(f"/units/{wards[0].id}/").get_data(as_text=True)
    assert "Cuộc thi cam-thanh-2026" in page and f"/units/{wards[0].id}/competitions/new" not in page
    assert other.get(f"/units/{wards[0].id}/competitions/new").status_code == 403


def test_the_history_page_shows_what_a_unit_became(client, db):
    _province, wards, city = _map(db)
    page = client.get(f"/units/{city.id}/history").get_data(as_text=True)
    forward = page.split('data-history="forward"')[1].split("</ul>")[0]
    assert all(w.name in forward for w in wards) and "01/07/2025" in forward
    back = client.get(f"/units/{wards[1].id}/history").get_data(as_text=True).split('data-history="back"')[1]
    assert "Thành phố Quảng Ngãi" in back.split("</ul>")[0]


def test_an_administrator_appoints_and_removes_an_officer(client, db):
    _province, wards, _city = _map(db)
    admin = make_user("qt@example.vn", admin=True)
    make_user("canbo@camthanh.vn")
    login(client, admin)
    path = f"/units/{wards[0].id}/officers"
    token = csrf_token(client, path)
    refused = client.post(path, data={"csrf_token": token, "email": "khong-co@example.vn", "role": "focal_point"})
    assert refused.status_code == 400
    done = client.post(
        path, data={"csrf_token": token, "email": "canbo@camthanh.vn", "role": "leader", "valid_from": "2026-01-01"}
    )
    assert done.status_code == 302
    officer = db.session.scalar(select(UnitOfficer))
    assert (officer.role, officer.valid_from) == (UnitOfficerRole.leader, date(2026, 1, 1))
    client.post(f"{path}/{officer.id}/end", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(UnitOfficer, officer.id).ended_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"unit_officer.appointed", "unit_officer.ended"} <= actions


def test_an_officer_cannot_create_a_contest_for_a_year_the_unit_did_not_exist(client, db):
    _province, wards, _city = _map(db)
    officer = _officer(db, wards[0], "canbo@camthanh.vn")
    login(client, officer)
    path = f"/units/{wards[0].id}/competitions/new"
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "name": "Cuộc thi 2024",
            "year": "2024",
            "slug": "cam-thanh-2024",
            "preset": "district_commune",
        },
    )
    assert response.status_code == 400
    assert "01/07/2025" in response.get_data(as_text=True)
    assert db.session.scalar(select(Competition.id)) is None
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "name": "Cuộc thi 2026",
            "year": "2026",
            "slug": "cam-thanh-2026",
            "preset": "district_commune",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Competition.org_unit_id)) == wards[0].id
    unit_officers.forget_cache()


def _unit_options(page: str) -> list[str]:
    select_html = page.split('name="org_unit"')[1].split("</select>")[0]
    assert "selected" not in select_html.replace('<option selected value="0">', "")  # no unit preselected
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def test_the_new_competition_form_lists_only_units_in_force_that_year_and_preselects_none(client, db):
    _province, wards, city = _map(db)
    login(client, make_user("qt@example.vn", admin=True))
    page = client.get("/manage/new").get_data(as_text=True)  # this year: after the reform
    options = _unit_options(page)
    assert not any("Thành phố Quảng Ngãi" in o or "trước 2025" in o for o in options)
    assert any("Phường Cẩm Thành" in o for o in options)
    assert "dissolved before or formed after" in page or "đã giải thể" in page
    token = csrf_token(client, "/manage/new")
    page_2025 = client.post(
        "/manage/new",
        data={"csrf_token": token, "name": "", "year": "2025", "slug": "", "org_unit": "0", "preset": "provincial"},
    ).get_data(as_text=True)
    options = _unit_options(page_2025)
    assert any("Thành phố Quảng Ngãi" in o for o in options)
    current = options.index(next(o for o in options if "(QNG-51)" in o))
    former = options.index(next(o for o in options if "trước 2025" in o))
    assert current < former  # current ones first


def test_the_dashboard_lists_this_years_projects_of_the_area_and_links_the_units_report(client, db):
    from contest.domain.unit_officers import today

    _province, wards, _city = _map(db)
    year = today().year
    contest = make_competition(f"cam-thanh-{year}", preset="district_commune", unit=wards[0], year=year)
    elsewhere = make_competition(f"nghia-lo-{year}", preset="district_commune", unit=wards[1], year=year)
    for competition, title in ((contest, "Tỏi đen Cẩm Thành"), (elsewhere, "Nước mắm Nghĩa Lộ")):
        entry = make_valid_entry(competition, name=f"Đội {title}", org_unit=competition.org_unit)
        entry.project.name = title
        db.session.commit()
    officer = _officer(db, wards[0], "canbo@camthanh.vn")
    login(client, officer)
    page = client.get(f"/units/{wards[0].id}/").get_data(as_text=True)
    assert "Tỏi đen Cẩm Thành" in page and "Nước mắm Nghĩa Lộ" not in page
    assert f"/reporting/unit/{wards[0].id}/{year}" in page


def test_the_provinces_officer_deactivates_a_ward_officers_account_from_the_wards_officers_page(client, db):
    province, wards, _city = _map(db)
    province_officer = _officer(db, province, "canbo@tinh.vn")
    ward_officer = _officer(db, wards[0], "canbo@camthanh.vn")
    role = db.session.scalar(select(UnitOfficer).where(UnitOfficer.user_id == ward_officer.id))
    login(client, province_officer)
    path = f"/units/{wards[0].id}/officers"
    page = client.get(path).get_data(as_text=True)
    assert f"{path}/{role.id}/deactivate" in page
    answer = client.post(f"{path}/{role.id}/deactivate", data={"csrf_token": csrf_token(client, path)})
    assert answer.status_code == 302
    db.session.expire_all()
    assert not db.session.get(type(ward_officer), ward_officer.id).is_active_account
    # Deactivated: the account can no longer sign in.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    refused = login(client, ward_officer)
    assert refused.status_code != 302
    assert client.get(f"/units/{wards[0].id}/").status_code in (302, 403)


def test_the_parent_unit_is_a_link_only_for_who_may_open_it(app, db):
    """A ward's officer followed 'Trực thuộc Tỉnh Quảng Ngãi' to a 403 page: the
    parent is linked when the visitor's rules let them open it, else named as text."""
    province, wards, _city = _map(db)
    ward_officer = _officer(db, wards[0], "canbo@camthanh.vn")
    province_officer = _officer(db, province, "canbo@tinh.vn")
    admin = make_user("quan-tri@example.vn", admin=True)
    parent_link = f'href="/units/{province.id}/"'
    for user, linked in ((ward_officer, False), (province_officer, True), (admin, True)):
        client = app.test_client()
        login(client, user)
        page = client.get(f"/units/{wards[0].id}/").get_data(as_text=True)
        assert "Trực thuộc" in page and "Tỉnh Quảng Ngãi" in page, user.email
        assert (parent_link in page) is linked, user.email
        assert (client.get(f"/units/{province.id}/").status_code == 200) is linked, user.email


def test_may_open_answers_as_the_route_does(app, db):
    """contest.access.allows, behind the pages' `may_open`, is the route's own check."""
    from flask import g

    from contest.access import allows

    province, wards, _city = _map(db)
    ward_officer = _officer(db, wards[0], "canbo@camthanh.vn")
    paths = {
        "units.dashboard": "/units/{}/",
        "units.history": "/units/{}/history",
        "units.officers": "/units/{}/officers",
    }

    def path(endpoint, unit):
        return paths[endpoint].format(unit.id)

    for user in (None, make_user("nguoi-dung@example.vn"), ward_officer):
        client = app.test_client()
        if user is not None:
            login(client, user)
        for endpoint, unit in (
            ("units.dashboard", province),
            ("units.dashboard", wards[0]),
            ("units.history", province),
            ("units.officers", wards[0]),
        ):
            with app.test_request_context():
                g._login_user = user or app.login_manager.anonymous_user()  # the visitor, as Flask-Login keeps it
                may = allows(endpoint, unit_id=unit.id)
            answer = client.get(path(endpoint, unit))
            assert may is (answer.status_code == 200), (endpoint, unit.name, user and user.email, answer.status_code)
    with app.test_request_context():
        assert allows("units.dashboard", unit_id=10**9) is False  # no such unit: not a page to open
        assert allows("no.such_endpoint") is False
