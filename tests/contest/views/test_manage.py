"""The settings page's status (issue 19, point 1): the server itself refuses a
move that cannot be undone unless it was confirmed, and a change of status
sent with the settings keeps what was typed."""

from __future__ import annotations

from contest.domain.competitions import find_by_slug
from contest.models import CompetitionState
from tests.factories import csrf_token, login, make_competition, make_user


def _organizer(client):
    login(client, make_user("bantochuc@example.vn", admin=True))


def test_archiving_without_the_confirmation_is_refused_by_the_server(client, db):
    competition = make_competition("ban-nhap", open_=False)
    _organizer(client)
    token = csrf_token(client, f"/manage/{competition.slug}/state?to=archived")
    refused = client.post(f"/manage/{competition.slug}/state", data={"csrf_token": token, "state": "archived"})
    assert refused.status_code == 400
    assert "không bao giờ mở lại" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert find_by_slug("ban-nhap").state is CompetitionState.draft
    done = client.post(
        f"/manage/{competition.slug}/state", data={"csrf_token": token, "state": "archived", "confirm": "yes"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert find_by_slug("ban-nhap").state is CompetitionState.archived


def test_the_confirmation_page_names_what_cannot_be_undone_and_refuses_a_move_not_offered(client, db):
    competition = make_competition("dang-mo")
    _organizer(client)
    page = client.get(f"/manage/{competition.slug}/state?to=closed").get_data(as_text=True)
    assert "không thể hoàn tác" not in page  # closing can be undone: reopened
    wrong = client.get(f"/manage/{competition.slug}/state?to=archived", follow_redirects=True)
    assert "không thể chuyển từ" in wrong.get_data(as_text=True)
    assert find_by_slug("dang-mo").state is CompetitionState.open


def test_the_settings_are_saved_before_an_irreversible_move_is_confirmed(client, db):
    competition = make_competition("cai-dat", open_=False)
    _organizer(client)
    token = csrf_token(client, f"/manage/{competition.slug}/settings")
    form = {
        "csrf_token": token,
        "state": "open",
        "name": "Cuộc thi đã đổi tên",
        "year": "2026",
        "submission_deadline": "2030-12-20T17:00",
        "boards": "Y Bảng Ý tưởng",
        "fields": "Giáo dục",
        "team_min": "1",
        "team_max": "5",
    }
    answer = client.post(f"/manage/{competition.slug}/settings", data=form)
    assert answer.status_code == 302 and answer.location.endswith(f"/manage/{competition.slug}/state?to=open")
    db.session.expire_all()
    saved = find_by_slug("cai-dat")
    assert saved.name == "Cuộc thi đã đổi tên" and saved.submission_deadline.year == 2030
    assert saved.state is CompetitionState.draft


def test_a_time_at_either_end_of_the_calendar_is_refused_on_the_form(client, db):
    competition = make_competition("lich-xa", open_=False)
    _organizer(client)
    token = csrf_token(client, f"/manage/{competition.slug}/settings")
    for field, value in (("submission_deadline", "0001-01-01T00:00"), ("registration_opens_at", "9999-12-31T23:59")):
        form = {
            "csrf_token": token,
            "state": "draft",
            "name": "Cuộc thi",
            "year": "2026",
            field: value,
            "boards": "Y Bảng Ý tưởng",
            "fields": "Giáo dục",
            "team_min": "1",
            "team_max": "5",
        }
        answer = client.post(f"/manage/{competition.slug}/settings", data=form)
        assert answer.status_code == 400, (field, answer.status_code)
        assert "Hãy nhập năm, ví dụ 2026." in answer.get_data(as_text=True)
