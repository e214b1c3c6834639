"""The scoring API as a tablet uses it: each refusal with its status and code,
exactly-once changes, two devices, sign-off and amendments, the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.models import AuditEvent
from contest.models.base import utcnow
from judging.models import AppliedChange, ConflictStatus, RoundState, Rubric, Score, ScoreSheet
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)


@pytest.fixture
def world(db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    other = make_judge(competition, make_user(name="Giám khảo Lê Hoa"))
    round_ = make_round(competition, entries[:1], [judge, other])
    return {
        "competition": competition,
        "entries": entries,
        "judge": judge,
        "other": other,
        "round": round_,
        "criteria": round_.rubric.criteria,
    }


def _client(app, user):
    client = app.test_client()
    login(client, user)
    client.token = csrf_token(client, "/judge/")
    return client


def _change(client, round_id, entry_id, key, criterion_id=None, value=None, **extra):
    body = {"key": key, "criterion_id": criterion_id, "value": value, **extra}
    if criterion_id is None:
        body.pop("criterion_id")
        body.pop("value")
    return client.post(
        f"/api/rounds/{round_id}/sheets/{entry_id}/changes", json=body, headers={"X-CSRFToken": client.token}
    )


def test_a_change_is_applied_once_and_audited(app, db, world):
    client = _client(app, world["judge"].user)
    first = world["criteria"][0]
    r, e = world["round"].id, world["entries"][0].id
    assert _change(client, r, e, "k-1", first.id, "12.5").json == {"outcome": "applied"}
    assert _change(client, r, e, "k-1", first.id, "12.5").json == {"outcome": "duplicate"}
    assert _change(client, r, e, "k-2", first.id, 14).json == {"outcome": "applied"}
    assert db.session.scalar(select(Score.value)) == 14
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "score.changed")).all()
    assert [(ev.before["value"], ev.after["value"]) for ev in events] == [(None, "12.5"), ("12.5", "14")]
    assert all(ev.actor_id == world["judge"].user_id for ev in events)
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 2
    db.session.expire_all()
    assert db.session.get(Rubric, world["round"].rubric_id).is_frozen


@pytest.mark.parametrize(
    "value, code",
    [
        ("20.5", "out_of_range"),
        (-1, "out_of_range"),
        ("7.3", "wrong_step"),
        ("bảy", "not_a_number"),
        (True, "not_a_number"),
    ],
)
def test_bad_values_are_refused_with_422(app, world, value, code):
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "k", world["criteria"][0].id, value)
    assert response.status_code == 422 and response.json["error"] == code and response.json["message"]


def test_a_refusal_names_the_criterion(app, world):
    client = _client(app, world["judge"].user)
    first = world["criteria"][0]
    response = _change(client, world["round"].id, world["entries"][0].id, "k", first.id, "7.3")
    assert first.name in response.json["message"]


def test_unknown_criterion_is_refused(app, world):
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "k", 999_999, 1)
    assert response.status_code == 422 and response.json["error"] == "unknown_criterion"


def test_a_criterion_of_another_rubric_is_refused(app, db, world):
    later = make_round(
        world["competition"], world["entries"][:1], [world["judge"]], preset="five_point_weighted", name="Chung kết"
    )
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "k", later.rubric.criteria[0].id, 1)
    assert response.status_code == 422 and response.json["error"] == "unknown_criterion"
    assert db.session.scalar(select(func.count()).select_from(Score)) == 0


def test_unassigned_entry_is_refused_with_403(app, world):
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][1].id, "k", world["criteria"][0].id, 1)
    assert response.status_code == 403 and response.json["error"] == "not_assigned"


def test_conflicted_entry_is_refused_with_403(app, db, world):
    from judging.models import Conflict, ConflictSource

    db.session.add(
        Conflict(
            judge_id=world["judge"].id,
            entry_id=world["entries"][0].id,
            reason="Người nhà",
            source=ConflictSource.declared,
            status=ConflictStatus.confirmed,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "k", world["criteria"][0].id, 1)
    assert response.status_code == 403 and response.json["error"] == "conflict"


@pytest.mark.parametrize("state, code", [("locked", "round_locked"), ("preparing", "round_not_open")])
def test_closed_rounds_are_refused_with_409(app, db, world, state, code):
    world["round"].state = RoundState(state)
    db.session.commit()
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "k", world["criteria"][0].id, 1)
    assert response.status_code == 409 and response.json["error"] == code


def test_a_judge_sees_only_their_own_sheet(app, world):
    judge, other = _client(app, world["judge"].user), _client(app, world["other"].user)
    r, e, c = world["round"].id, world["entries"][0].id, world["criteria"][0].id
    _change(judge, r, e, "mine", c, 15)
    sheet = other.get(f"/api/rounds/{r}/sheets/{e}").json
    assert sheet["scores"][str(c)] is None
    # A reused key from another judge cannot touch the first judge's change.
    response = _change(other, r, e, "mine", c, 3)
    assert response.status_code == 409 and response.json["error"] == "key_reused"
    assert judge.get(f"/api/rounds/{r}/sheets/{e}").json["scores"][str(c)] == "15"


def test_someone_who_is_not_a_judge_is_refused(app, world):
    client = _client(app, make_user())
    response = _change(client, world["round"].id, world["entries"][0].id, "k", world["criteria"][0].id, 1)
    assert response.status_code == 403


def test_missing_csrf_and_anonymous_are_refused(app, world):
    client = _client(app, world["judge"].user)
    r, e = world["round"].id, world["entries"][0].id
    response = client.post(f"/api/rounds/{r}/sheets/{e}/changes", json={"key": "k", "criterion_id": 1, "value": 1})
    assert response.status_code == 400 and response.json["error"] == "csrf"
    anonymous = app.test_client()
    response = anonymous.get(f"/api/rounds/{r}/sheets/{e}")
    assert response.status_code == 401 and response.json["error"] == "login_required"


def test_two_devices_the_later_change_wins(app, db, world):
    client = _client(app, world["judge"].user)
    r, e, c = world["round"].id, world["entries"][0].id, world["criteria"][0].id
    later, earlier = utcnow(), utcnow() - timedelta(minutes=5)
    assert (
        _change(client, r, e, "tablet", c, 18, changed_at=later.isoformat(), device="tablet").json["outcome"]
        == "applied"
    )
    # The phone was offline; its older change arrives afterwards and loses.
    assert (
        _change(client, r, e, "phone", c, 9, changed_at=earlier.isoformat(), device="phone").json["outcome"]
        == "superseded"
    )
    score = db.session.scalar(select(Score))
    assert score.value == 18 and score.device == "tablet"


def test_sign_off_then_amend_with_a_reason(app, db, world):
    client = _client(app, world["judge"].user)
    r, e = world["round"].id, world["entries"][0].id
    submit = client.post(f"/api/rounds/{r}/sheets/{e}/submit", json={}, headers={"X-CSRFToken": client.token})
    assert submit.status_code == 422 and submit.json["error"] == "incomplete"
    assert len(submit.json["missing"]) == len(world["criteria"])
    for i, criterion in enumerate(world["criteria"]):
        _change(client, r, e, f"k{i}", criterion.id, 5)
    submit = client.post(f"/api/rounds/{r}/sheets/{e}/submit", json={}, headers={"X-CSRFToken": client.token})
    assert submit.status_code == 200
    response = _change(client, r, e, "amend", world["criteria"][0].id, 6)
    assert response.status_code == 422 and response.json["error"] == "reason_required"
    response = _change(client, r, e, "amend", world["criteria"][0].id, 6, reason="Bấm nhầm")
    assert response.json["outcome"] == "applied"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "score.changed").order_by(AuditEvent.id.desc())
    ).first()
    assert event.reason == "Bấm nhầm" and event.before["value"] == "5"


def test_comment_is_saved(app, db, world):
    client = _client(app, world["judge"].user)
    response = _change(client, world["round"].id, world["entries"][0].id, "c1", comment="Ý tưởng tốt, cần số liệu.")
    assert response.json["outcome"] == "applied"
    assert db.session.scalar(select(ScoreSheet.comment)) == "Ý tưởng tốt, cần số liệu."
    _change(client, world["round"].id, world["entries"][0].id, "c2", comment="Cần thêm số liệu thị trường.")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "score.comment").order_by(AuditEvent.id.desc())
    ).first()
    assert event.before == {"comment": "Ý tưởng tốt, cần số liệu."}
    assert event.after["comment"] == "Cần thêm số liệu thị trường."


def test_a_later_round_keeps_its_own_sheet(app, db, world):
    from judging.models import RoundState

    first = world["round"]
    client = _client(app, world["judge"].user)
    _change(client, first.id, world["entries"][0].id, "r1", first.rubric.criteria[0].id, 10)
    first.state = RoundState.locked
    db.session.commit()
    second = make_round(world["competition"], world["entries"][:1], [world["judge"]], name="Chung kết")
    _change(client, second.id, world["entries"][0].id, "r2", second.rubric.criteria[0].id, 19)
    rows = db.session.execute(select(ScoreSheet.round_id, Score.value).join(Score, Score.sheet_id == ScoreSheet.id))
    values = {round_id: value for round_id, value in rows}
    assert values == {first.id: 10, second.id: 19}


def test_openapi_describes_the_api(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/rounds/{round_id}/sheets/{entry_id}/changes" in spec["paths"]


def test_a_change_sent_again_while_the_first_send_is_being_saved_is_a_duplicate(app, db, world, monkeypatch):
    """The first send commits after the resend has read the database, so the resend's INSERTs
    collide with its rows (PostgreSQL refuses the INSERT itself, not the COMMIT): the request
    rolls back and applies it once more, and it is answered as a duplicate, not with a 500
    (bench/chaos_scoring.py found it)."""
    from judging.domain import scoring

    client = _client(app, world["judge"].user)
    first = world["criteria"][0]
    r, e, judge_user = world["round"].id, world["entries"][0].id, world["judge"].user_id
    change = scoring.Change("k-1", first.id, "12.5", None, None)
    real, reads = scoring._permission_from, []

    def the_first_send_commits_meanwhile(row):
        reads.append(row)
        if len(reads) == 1:
            with app.app_context():  # another request, with its own session and connection
                scoring.apply_change(r, e, judge_user, change)
                db.session.commit()
        return real(row)

    monkeypatch.setattr(scoring, "_permission_from", the_first_send_commits_meanwhile)
    assert _change(client, r, e, "k-1", first.id, "12.5").json == {"outcome": "duplicate"}
    assert len(reads) == 3  # the first send's, the resend's, and the resend's second try
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "score.changed")) == 1
    )
    assert db.session.scalar(select(Score.value)) == 12.5


def test_a_deactivated_account_saves_nothing_even_with_a_live_session(app, db, world):
    client = _client(app, world["judge"].user)
    r, e, first = world["round"].id, world["entries"][0].id, world["criteria"][0]
    assert _change(client, r, e, "k-active", first.id, "10").status_code == 200
    world["judge"].user.is_active_account = False
    db.session.commit()
    refused = _change(client, r, e, "k-after", first.id, "11")
    assert refused.status_code == 403 and refused.json["error"] == "not_a_judge"
    assert db.session.scalar(select(Score.value)) == 10


def test_signed_in_by_the_remember_cookie_alone_still_saves(app, db, world):
    client = app.test_client()
    login(client, world["judge"].user, remember=True)
    token = csrf_token(client, "/judge/")
    # A new browser session: only the remember-me cookie is left.
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    client.token = token
    r, e, first = world["round"].id, world["entries"][0].id, world["criteria"][0]
    assert _change(client, r, e, "k-remembered", first.id, "9").json == {"outcome": "applied"}
    anonymous = app.test_client()
    anonymous.token = token
    assert _change(anonymous, r, e, "k-anon", first.id, "9").status_code in (400, 401)


def test_a_save_with_a_cookie_copied_before_log_out_is_refused(app, db, world):
    client = _client(app, world["judge"].user)
    r, e, first = world["round"].id, world["entries"][0].id, world["criteria"][0]
    assert _change(client, r, e, "k-before", first.id, "10").json == {"outcome": "applied"}
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    copied.token = client.token
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    refused = _change(copied, r, e, "k-after", first.id, "12")
    assert refused.status_code == 401 and refused.json["error"] == "session_ended"
    assert db.session.scalar(select(Score.value)) == 10


def test_a_key_used_again_for_another_change_is_refused_not_called_a_duplicate(app, db, world):
    client = _client(app, world["judge"].user)
    r, e, (first, second) = world["round"].id, world["entries"][0].id, world["criteria"][:2]
    assert _change(client, r, e, "k-same", first.id, "10").json == {"outcome": "applied"}
    assert _change(client, r, e, "k-same", first.id, "10").json == {"outcome": "duplicate"}
    for criterion, value in ((first, "11"), (second, "10")):
        refused = _change(client, r, e, "k-same", criterion.id, value)
        assert refused.status_code == 409 and refused.json["error"] == "key_reused"
    assert db.session.scalar(select(Score.value).where(Score.criterion_id == first.id)) == 10
    assert db.session.scalar(select(Score.value).where(Score.criterion_id == second.id)) is None
