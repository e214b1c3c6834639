"""Dates that cannot be true (a birth in the future, a company registered in
1850) are refused beside their field, by the forms and by the domain."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from contest.domain.entries import completeness_problems, save_draft
from contest.domain.errors import DomainError
from contest.domain.plausible_dates import birth_date_problem, company_date_problem
from contest.domain.teams import MemberDetails, add_member
from contest.extensions import db as _db
from contest.models import Member, Team
from tests.factories import csrf_token, fill_entry, login, make_competition, make_team, make_user


def _new_team(**extra) -> dict:
    return {
        "name": "Đội Sa Huỳnh",
        "team_organisation": "",
        "org_unit": "0",
        "show_names_publicly": "y",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "1998-05-17",
        "gender": "female",
        "phone": "",
        "organisation": "",
        "role_in_team": "",
        **extra,
    }


def test_the_rules_for_each_kind_of_date():
    today = date(2026, 12, 7)
    assert birth_date_problem(date(2000, 1, 1), today) is None
    assert birth_date_problem(today, today) is None
    assert birth_date_problem(today + timedelta(days=1), today)
    assert birth_date_problem(date(1906, 1, 1), today) is None
    assert birth_date_problem(date(1905, 12, 31), today)
    assert company_date_problem(date(1995, 3, 1), today) is None
    assert company_date_problem(date(1900, 1, 1), today) is None
    assert company_date_problem(date(1899, 12, 31), today)
    assert company_date_problem(today + timedelta(days=1), today)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2030-01-01", "Ngày sinh không thể ở trong tương lai."),
        ("1850-01-01", "Hãy kiểm tra lại ngày sinh: đã cách đây hơn 120 năm."),
    ],
)
def test_a_leader_born_in_the_future_or_in_1850_is_refused(client, db, typed, message):
    competition = make_competition()
    login(client, make_user())
    token = csrf_token(client, f"/c/{competition.slug}/team/new")
    response = client.post(
        f"/c/{competition.slug}/team/new", data={"csrf_token": token, **_new_team(date_of_birth=typed)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert f'value="{typed}"' in page  # what was typed is kept
    assert db.session.scalar(select(Team.id)) is None


def test_a_member_born_in_2031_is_refused(client, db):
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}")
    response = client.post(
        f"/teams/{team.id}/members",
        data={"member-csrf_token": token, "member-full_name": "Trần Thị Bé", "member-date_of_birth": "2031-06-01"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ngày sinh không thể ở trong tương lai." in page
    assert 'value="2031-06-01"' in page
    assert db.session.scalar(select(Member.id).where(Member.full_name == "Trần Thị Bé")) is None


def test_the_domain_refuses_an_impossible_birth_date(db):
    team = make_team(make_competition())
    with pytest.raises(DomainError) as info:
        add_member(team, MemberDetails(full_name="Trần Thị Bé", date_of_birth=date(2031, 6, 1)))
    assert info.value.field == "date_of_birth"
    assert len(team.members) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2030-01-01", "Ngày đăng ký thành lập doanh nghiệp không thể ở trong tương lai."),
        ("1850-01-01", "Hãy kiểm tra lại ngày đăng ký thành lập doanh nghiệp: trước năm 1900."),
    ],
)
def test_an_impossible_registration_date_is_refused_and_kept(client, db, typed, message):
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    response = client.post(
        f"/teams/{team.id}/entry",
        data={"csrf_token": token, "stage": "registered_company", "company_registered_on": typed},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert f'value="{typed}"' in page
    assert team.entry.company_registered_on is None

    autosave = client.post(
        f"/teams/{team.id}/entry/autosave",
        json={"company_registered_on": typed},
        headers={"X-CSRFToken": token},
    )
    assert "company_registered_on" in autosave.json["errors"]
    _db.session.refresh(team.entry)
    assert team.entry.company_registered_on is None


def test_the_domain_refuses_a_registration_date_in_the_future_and_a_saved_one_blocks_submission(db):
    team = make_team(make_competition())
    entry = fill_entry(team)
    with pytest.raises(DomainError) as info:
        save_draft(entry, {"company_registered_on": date(2030, 1, 1)})
    assert info.value.field == "company_registered_on"
    assert entry.company_registered_on is None
    entry.company_registered_on = date(2030, 1, 1)  # saved before the rule existed
    assert "Ngày đăng ký thành lập doanh nghiệp không thể ở trong tương lai." in completeness_problems(entry)
