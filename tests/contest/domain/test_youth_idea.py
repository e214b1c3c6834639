"""The youth startup-idea contest (Tỉnh Đoàn): ideas only, the Youth Law's ages,
the optional Đoàn member field, and honouring (tuyên dương) as an award tier."""

from datetime import date

import pytest

from contest.domain.competitions import PRESETS, update_settings
from contest.domain.entries import SubmissionRefused, save_draft, submit
from contest.domain.teams import MemberDetails, add_member
from contest.models import Enterprise, EntryStatus
from tests.factories import csrf_token, fill_entry, login, make_competition, make_team


def _youth_entry(db, **draft):
    competition = make_competition("y-2026", preset="youth_idea")
    team = make_team(competition)
    entry = fill_entry(team)
    if draft:
        save_draft(entry, draft)
    return competition, team, entry


def test_the_preset_is_ideas_only_with_the_youth_law_ages_and_one_board(db):
    competition = make_competition("y-2026", preset="youth_idea")
    assert competition.ideas_only and (competition.age_min, competition.age_max) == (16, 30)
    assert [b.name for b in competition.boards] == ["Bảng Ý tưởng"]
    assert not PRESETS["provincial"].ideas_only and not make_competition("tinh-2026").ideas_only


def test_an_entry_whose_project_has_an_enterprise_is_refused_with_its_name(db):
    _competition, team, entry = _youth_entry(db)
    db.session.add(
        Enterprise(
            registration_number="4300812345",
            name="Công ty TNHH Tỏi đen Lý Sơn",
            founded_on=date(2018, 3, 2),
            project=entry.project,
        )
    )
    db.session.flush()
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    text = " ".join(info.value.problems)
    assert "chỉ dành cho ý tưởng" in text and "4300812345" in text and "02/03/2018" in text
    assert entry.status is EntryStatus.draft and entry.code is None


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        ({"stage": "on_market"}, "doanh thu"),
        ({"stage": "registered_company", "company_registered_on": date(2018, 5, 1)}, "đã đăng ký thành lập"),
    ],
)
def test_an_entry_that_sells_or_is_a_company_is_refused(db, draft, expected):
    _competition, team, entry = _youth_entry(db, **draft)
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    assert expected in " ".join(info.value.problems)


def test_an_idea_is_accepted_and_the_organizer_may_lift_the_rule(db):
    competition, team, entry = _youth_entry(db)
    submit(entry, team.leader)
    assert entry.status is EntryStatus.submitted
    other = make_team(competition)
    selling = fill_entry(other)
    save_draft(selling, {"stage": "on_market"})
    with pytest.raises(SubmissionRefused):
        submit(selling, other.leader)
    update_settings(competition, ideas_only=False)
    submit(selling, other.leader)
    assert selling.status is EntryStatus.submitted


def test_the_age_bounds_are_the_organizers(db):
    competition, team, entry = _youth_entry(db)
    add_member(team, MemberDetails(full_name="Lê Văn Ba Mốt", date_of_birth=date(1990, 1, 1)))
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    assert "Lê Văn Ba Mốt" in " ".join(info.value.problems)
    update_settings(competition, age_min=18, age_max=40)
    submit(entry, team.leader)
    assert entry.status is EntryStatus.submitted


def test_the_doan_member_field_is_kept_in_youth_contests_only(db):
    youth = make_team(make_competition("y-2026", preset="youth_idea"))
    member = add_member(youth, MemberDetails(full_name="Đoàn Viên", is_doan_member=True))
    assert member.is_doan_member is True
    other = make_team(make_competition("tinh-2026"))
    member = add_member(other, MemberDetails(full_name="Không Hỏi", is_doan_member=True))
    assert member.is_doan_member is None


def test_the_submit_page_refuses_with_a_400_and_the_reason_in_vietnamese(client, db):
    _competition, team, entry = _youth_entry(db)
    db.session.add(Enterprise(registration_number="4300999999", name="Công ty X", founded_on=date(2018, 1, 1)))
    db.session.flush()
    entry.project.enterprises.append(db.session.query(Enterprise).filter_by(registration_number="4300999999").one())
    db.session.commit()
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Cuộc thi chỉ dành cho ý tưởng: dự án đã có doanh nghiệp Công ty X" in page
    assert team.entry.status is EntryStatus.draft


def test_the_doan_member_box_shows_on_the_youth_team_page_only(client, db):
    youth = make_team(make_competition("y-2026", preset="youth_idea"))
    login(client, youth.leader)
    assert "đoàn viên Đoàn TNCS" in client.get(f"/teams/{youth.id}").get_data(as_text=True)
    other = make_team(make_competition("tinh-2026"), leader=youth.leader)
    assert "đoàn viên Đoàn TNCS" not in client.get(f"/teams/{other.id}").get_data(as_text=True)
