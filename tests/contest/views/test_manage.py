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


def test_a_whole_number_out_of_range_is_answered_with_its_range(client, db):
    """−3 members or an age of 500 are whole numbers: the message says the range, not "enter a whole number"."""
    competition = make_competition("pham-vi", open_=False)
    _organizer(client)
    token = csrf_token(client, f"/manage/{competition.slug}/settings")
    form = {
        "csrf_token": token,
        "state": "draft",
        "name": "Cuộc thi",
        "year": "2026",
        "boards": "Y Bảng Ý tưởng",
        "fields": "Giáo dục",
        "team_min": "-3",
        "team_max": "5",
        "max_entries_per_person": "0",
        "age_max": "500",
        "max_company_age_years": "-1",
    }
    page = client.post(f"/manage/{competition.slug}/settings", data=form).get_data(as_text=True)
    assert "Hãy nhập một số nguyên." not in page
    for message in ("Số phải từ 1 đến 50.", "Số phải từ 1 đến 100.", "Số phải từ 0 đến 120.", "Số phải từ 0 đến 100."):
        assert message in page, message
    not_a_number = client.post(f"/manage/{competition.slug}/settings", data={**form, "age_max": "ba"})
    assert "Hãy nhập một số nguyên." in not_a_number.get_data(as_text=True)


def test_a_nomination_quota_below_zero_is_answered_with_its_range(app):
    from contest.forms.competitions import QuotaForm

    with app.test_request_context(method="POST", data={"quota-org_unit": "7", "quota-quota": "-3"}):
        form = QuotaForm(prefix="quota", meta={"csrf": False})
        form.org_unit.choices = [(7, "Xã Tịnh Khê")]
        assert not form.validate()
        assert form.quota.errors == ["Số phải từ 0 đến 1000."]


def test_every_number_range_on_a_form_says_its_range():
    """A NumberRange keeps WTForms' own message ("Số phải từ 1 đến 15.") or one that names the bounds."""
    import inspect

    from wtforms.validators import NumberRange

    import contest.forms.competitions
    import contest.forms.orgunits
    import contest.forms.reporting
    import contest.forms.reports
    import judging.forms
    from contest.forms.base import Form

    modules = (contest.forms.competitions, contest.forms.orgunits, contest.forms.reporting, contest.forms.reports)
    checked = 0
    for module in (*modules, judging.forms):
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, Form):
                continue
            for field_name, unbound in vars(form).items():
                for validator in getattr(unbound, "kwargs", {}).get("validators") or ():
                    if isinstance(validator, NumberRange):
                        checked += 1
                        message = validator.message
                        assert message is None or any(c.isdigit() for c in str(message)), (form, field_name)
    assert checked > 10
