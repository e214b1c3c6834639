"""The women's startup contest (Hội LHPN, Đề án 939): a women-owned business in
the SME support law's sense is two facts, both checked; a team led by a woman
is counted apart."""

from datetime import date

import pytest

from contest.domain import reports
from contest.domain.entries import SubmissionRefused, is_women_owned, save_draft, submit
from contest.domain.entry_list import EntryFilter, list_entries
from contest.models import EntryStatus, Gender
from contest.reports import figures as F
from tests.factories import csrf_token, fill_entry, login, make_competition, make_team, make_user


def _company(team, own: str, manages: str):
    entry = fill_entry(team)
    save_draft(
        entry,
        {
            "stage": "registered_company",
            "company_registered_on": date(2024, 3, 8),
            "women_own_majority": own,
            "woman_manages": manages,
        },
    )
    return entry


@pytest.mark.parametrize(
    ("own", "manages", "owned"), [("yes", "yes", True), ("yes", "no", False), ("no", "yes", False)]
)
def test_a_women_owned_business_needs_both_facts(db, own, manages, owned):
    competition = make_competition("phu-nu-2026", preset="womens")
    entry = _company(make_team(competition), own, manages)
    assert is_women_owned(entry) is owned


def test_a_registered_company_in_a_womens_contest_must_answer_both_questions(db):
    competition = make_competition("phu-nu-2026", preset="womens")
    team = make_team(competition)
    entry = _company(team, "", "yes")
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    assert "51" in " ".join(info.value.problems)
    save_draft(entry, {"women_own_majority": "yes"})
    submit(entry, team.leader)
    assert entry.status is EntryStatus.submitted and entry.versions[-1].data["women_own_majority"] is True


def test_women_owned_businesses_and_women_led_teams_are_counted_apart(app, db):
    competition = make_competition("phu-nu-2026", preset="womens")
    # A woman leads; the company is women-owned.
    both = make_team(competition, make_user("a@example.vn"), leader_gender=Gender.female)
    _company(both, "yes", "yes")
    # A woman leads; women own the capital but no woman manages: not women-owned.
    led_only = make_team(competition, make_user("b@example.vn"), leader_gender=Gender.female)
    _company(led_only, "yes", "no")
    # A man leads the team of a women-owned company.
    owned_only = make_team(competition, make_user("c@example.vn"), leader_gender=Gender.male)
    _company(owned_only, "yes", "yes")
    # A man leads; the facts not given.
    make_team(competition, make_user("d@example.vn"), leader_gender=Gender.male)
    db.session.commit()
    with app.test_request_context():
        records = reports.load_records(None)
        figures = F.compute(records.competitions, records.teams)
        labels = reports.column_labels()
    assert figures.women_led_teams == 2 and figures.women_owned_businesses == 2
    assert labels["women_led_teams"] == "Đội có trưởng nhóm là nữ"
    assert labels["women_owned_businesses"].startswith("Doanh nghiệp do phụ nữ làm chủ")
    owned = list_entries(competition, EntryFilter(women_owned=True))
    assert {e.team_id for e in owned} == {both.id, owned_only.id}


def test_the_secretariat_badges_say_which_is_which(client, db):
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind

    competition = make_competition("phu-nu-2026", preset="womens")
    led = make_team(competition, make_user("a@example.vn"), leader_gender=Gender.female)
    fill_entry(led)
    owned = make_team(competition, make_user("c@example.vn"), leader_gender=Gender.male)
    _company(owned, "yes", "yes")
    secretary = make_user("tk@example.vn")
    grant_role(competition, secretary.email, CompetitionRoleKind.secretariat, granted_by=make_user(admin=True))
    db.session.commit()
    login(client, secretary)
    page = client.get(f"/manage/{competition.slug}/entries/").get_data(as_text=True)
    assert page.count('<span class="badge">Trưởng nhóm là nữ</span>') == 1
    assert page.count('<span class="badge">Doanh nghiệp do phụ nữ làm chủ</span>') == 1
    assert "Do phụ nữ làm chủ" not in page


def test_the_entry_form_asks_the_two_facts_in_a_womens_contest_only(client, db):
    team = make_team(make_competition("phu-nu-2026", preset="womens"))
    login(client, team.leader)
    page = client.get(f"/teams/{team.id}/entry").get_data(as_text=True)
    assert "Phụ nữ sở hữu từ 51% vốn điều lệ" in page and "quản lý điều hành" in page
    token = csrf_token(client, f"/teams/{team.id}/entry")
    client.post(
        f"/teams/{team.id}/entry/autosave",
        json={"women_own_majority": "yes", "woman_manages": "no"},
        headers={"X-CSRFToken": token},
    )
    assert (team.entry.women_own_majority, team.entry.woman_manages) == (True, False)
    other = make_team(make_competition("tinh-2026"), leader=team.leader)
    assert "Phụ nữ sở hữu" not in client.get(f"/teams/{other.id}/entry").get_data(as_text=True)
