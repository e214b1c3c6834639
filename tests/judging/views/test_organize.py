"""An organizer runs a round through the pages: rubric, round, entries,
assignment, opening, the board, reminders, lock; the paper fallback."""

import subprocess

from sqlalchemy import select

from contest.domain.competitions import grant_role
from contest.domain.outbox import send_due
from contest.models import CompetitionRoleKind, OutboxMessage
from judging.models import Assignment, Round, RoundState, Rubric
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


def _organizer(competition):
    user = make_user(name="Ban tổ chức")
    grant_role(competition, user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    return user


def test_organizer_runs_a_round(client, db, app):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    judges = [make_judge(competition) for _ in range(3)]
    login(client, _organizer(competition))
    base = f"/manage/{competition.slug}/judging"
    token = csrf_token(client, base + "/")

    response = client.post(
        base + "/rubrics",
        data={
            "csrf_token": token,
            "rubric-csrf_token": token,
            "rubric-preset": "provincial_100",
            "rubric-name": "Thang 100",
        },
    )
    assert response.status_code == 302
    rubric = db.session.scalar(select(Rubric))
    response = client.post(
        base + "/rounds",
        data={
            "round-csrf_token": token,
            "round-name": "Sơ khảo",
            "round-mode": "dossier",
            "round-entry_source": "all_valid",
            "round-rubric": rubric.id,
            "round-judges_per_entry": 2,
            "round-presentation_minutes": 7,
            "round-questions_minutes": 10,
        },
    )
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round))
    path = f"{base}/rounds/{round_.id}"
    assert client.post(path + "/entries", data={"csrf_token": token}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert all(e.code in page for e in entries)
    assert client.post(path + "/assign", data={"csrf_token": token}).status_code == 302
    assert len(db.session.scalars(select(Assignment)).all()) == 6
    assert client.post(path + "/open", data={"csrf_token": token}).status_code == 302
    db.session.refresh(round_)
    assert round_.state is RoundState.open

    # The board shows every judge behind; one click queues reminders.
    page = client.get(path).get_data(as_text=True)
    assert "0/2" in page
    client.post(path + "/remind", data={"csrf_token": token})
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("Sơ khảo"))).all()
    assert sorted(m.recipient for m in reminders) == sorted(j.user.email for j in judges)

    # Locking before the sheets are in needs a reason.
    client.post(path + "/lock", data={"csrf_token": token, "reason": ""})
    db.session.refresh(round_)
    assert round_.state is RoundState.open
    client.post(path + "/lock", data={"csrf_token": token, "reason": "Hết giờ chấm"})
    db.session.refresh(round_)
    assert round_.state is RoundState.locked

    sheet = client.get(f"{path}/sheets/{judges[0].id}.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")


def test_reminding_twice_mails_each_judge_once_and_says_so(client, db):
    """An organizer in the hall presses "remind" twice: each judge behind gets one mail, and the
    second press says they were reminded a moment ago. The button is also sent once by the page."""
    competition = make_competition()
    entry = make_valid_entry(competition)
    judges = [make_judge(competition, make_user(name=f"Giám khảo {n}")) for n in range(2)]
    round_ = make_round(competition, [entry], judges)
    login(client, _organizer(competition))
    path = f"/manage/{competition.slug}/judging/rounds/{round_.id}"
    page = client.get(path).get_data(as_text=True)
    assert f'action="{path}/remind" data-submit-once' in page and "/static/js/submit-once.js" in page
    token = csrf_token(client, path)

    first = client.post(path + "/remind", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    second = client.post(path + "/remind", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi thư nhắc 2 giám khảo chưa chấm xong." in first and "không nhắc lại" not in first
    assert (
        "Đã gửi thư nhắc 0 giám khảo chưa chấm xong. "
        "2 giám khảo đã được nhắc cách đây chưa đến 10 phút nên không nhắc lại." in second
    )
    addresses = {j.user.email for j in judges}
    mailed = [r for r in db.session.scalars(select(OutboxMessage.recipient)) if r in addresses]
    assert sorted(mailed) == sorted(addresses)


def test_judge_invitation_page_and_conflict_proposals(client, db, mail_app, smtp_server):
    competition = make_competition()
    make_valid_entry(competition)
    login(client, _organizer(competition))
    path = f"/manage/{competition.slug}/judging/judges"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "email": "khong-hop-le", "full_name": "A"})
    assert response.status_code == 400
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "email": "gk@sokhcn.vn",
            "full_name": "Đinh Công Giám",
            "organisation": "Sở KH&CN",
            "fields": [competition.fields[0].id],
        },
    )
    assert response.status_code == 302
    send_due()
    assert smtp_server.wait_for(2) and smtp_server.to("gk@sokhcn.vn")
    assert (
        client.post(f"/manage/{competition.slug}/judging/conflicts/propose", data={"csrf_token": token}).status_code
        == 302
    )


def test_scores_import_from_paper(app, db, tmp_path):
    from judging.domain.paper_import import import_scores_file

    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition, make_user("giamkhao@sokhcn.vn"))
    from tests.factories import make_round

    round_ = make_round(competition, [entry], [judge], preset="five_point_weighted")
    names = [c.name for c in round_.rubric.criteria]
    bad = "email_giam_khao;ma_ho_so;tieu_chi;diem\n" + "".join(
        f"giamkhao@sokhcn.vn;{entry.code};{name};{7 if i == 0 else 4}\n" for i, name in enumerate(names)
    )
    with app.test_request_context():
        report, lines = import_scores_file(round_.id, bad.encode(), None)
    assert not report.ok and any("7" in line and "0–5" in line for line in lines), lines
    assert not db.session.scalars(select(Assignment.id)).all() == []
    good = bad.replace(f";{names[0]};7", f";{names[0]};5")
    with app.test_request_context():
        report, lines = import_scores_file(round_.id, good.encode("utf-8-sig"), "giamkhao@sokhcn.vn")
    assert report.ok and len(report.scores) == 10


def test_scores_import_command_exits_non_zero_on_bad_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("judge_email,entry_code,criterion,score\n", encoding="utf-8")
    result = subprocess.run(
        [".venv/bin/flask", "--app", "wsgi", "scores", "import", "999999", str(bad)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": ""},
    )
    assert result.returncode != 0


def test_the_chair_decision_is_recorded_from_the_results_page(client, db, app):
    from judging.domain import results

    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    round_ = make_round(competition, entries, [make_judge(competition)], state="locked")
    with app.test_request_context():
        results.set_method(round_, "mean", 0, 1, [{"kind": "chair_decision", "label": "Chủ tịch"}])
    db.session.commit()
    login(client, _organizer(competition))
    url = f"/manage/{competition.slug}/judging/rounds/{round_.id}/results"
    assert 'id="chair-decision"' in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    refused = client.post(
        url + "/chair-order", data={"csrf_token": token, "codes": entries[1].code, "reason": ""}, follow_redirects=True
    )
    assert refused.status_code == 200 and db.session.get(Round, round_.id).chair_order == []
    client.post(
        url + "/chair-order",
        data={"csrf_token": token, "codes": f"{entries[1].code}\n{entries[0].code}", "reason": "Biên bản số 2"},
    )
    db.session.expire_all()
    assert db.session.get(Round, round_.id).chair_order == [entries[1].id, entries[0].id]


def test_a_duplicate_rubric_name_is_refused_beside_the_name_and_nothing_is_lost(client, db):
    competition = make_competition()
    login(client, _organizer(competition))
    base = f"/manage/{competition.slug}/judging"
    token = csrf_token(client, base + "/")

    def create(preset, name):
        return client.post(
            base + "/rubrics", data={"rubric-csrf_token": token, "rubric-preset": preset, "rubric-name": name}
        )

    assert create("provincial_100", "Thang điểm chung").status_code == 302
    first = db.session.scalar(select(Rubric))
    criteria = [(c.name, c.max_points) for c in first.criteria]
    response = create("five_point_weighted", "Thang điểm chung")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Cuộc thi này đã có thang điểm tên “Thang điểm chung”" in page
    assert 'value="Thang điểm chung"' in page  # what the organizer typed is still in the form
    db.session.expire_all()
    assert [r.id for r in db.session.scalars(select(Rubric))] == [first.id]
    assert [(c.name, c.max_points) for c in db.session.get(Rubric, first.id).criteria] == criteria
