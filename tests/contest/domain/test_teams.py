"""Teams: seats, invitations, leadership, and limits that hold under concurrency."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.domain.teams import (
    MemberDetails,
    accept_invitation,
    add_member,
    age_on,
    hand_over,
    invitation_from_token,
    invite,
    is_student_team,
    is_women_led,
    leave_team,
)
from contest.domain.tokens import make_token
from contest.extensions import db as _db
from contest.models import Gender, Member, Team, TeamInvitation
from contest.models.base import utcnow
from tests.factories import make_competition, make_team, make_user


def test_the_leader_is_the_first_member(db):
    competition = make_competition()
    leader = make_user(name="Trần Thị Mai")
    team = make_team(competition, leader, leader_gender=Gender.female)
    assert [m.full_name for m in team.members] == ["Trần Thị Mai"]
    assert team.members[0].is_leader and team.members[0].seat == 1
    assert is_women_led(team)


def test_team_size_is_capped(db):
    competition = make_competition(team_max=3)
    team = make_team(competition, members=2)
    with pytest.raises(Conflict) as info:
        add_member(team, MemberDetails(full_name="Người thứ tư"))
    assert info.value.code == "team_full"
    assert len(team.members) == 3


def _concurrently(app, *works):
    """Each work in a thread of its own, as a request: it commits at its end."""
    _db.session.commit()  # what the test set up
    barrier = threading.Barrier(len(works))
    results = [None] * len(works)

    def run(index, work):
        with app.app_context():
            barrier.wait()
            try:
                value = work()
                _db.session.commit()
                results[index] = ("ok", value)
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                results[index] = ("error", exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_simultaneous_joins_cannot_exceed_the_team_size(app, db):
    competition = make_competition(team_max=3)
    team = make_team(competition, members=1)
    team_id = team.id
    users = [make_user(), make_user()]
    tokens = []
    for user in users:
        invitation = invite(team, user.email, team.leader)
        tokens.append(make_token("team-invite", {"i": invitation.id, "n": invitation.nonce}))
    # Invitations were sent while there was room; now both accept at once for the last seat.
    user_ids = [u.id for u in users]

    def joiner(token, user_id):
        def work():
            from contest.models import User

            user = _db.session.get(User, user_id)
            return accept_invitation(token, user, MemberDetails(full_name=user.full_name)).id

        return work

    results = _concurrently(app, *(joiner(t, uid) for t, uid in zip(tokens, user_ids, strict=True)))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict) and error.code == "team_full"
    db.session.expire_all()
    assert len(db.session.scalars(select(Member).where(Member.team_id == team_id)).all()) == 3


def test_invitation_is_single_use_and_expires(app, db):
    competition = make_competition()
    team = make_team(competition)
    invitee = make_user("khach@example.vn")
    invitation = invite(team, invitee.email, team.leader)
    token = make_token("team-invite", {"i": invitation.id, "n": invitation.nonce})
    accept_invitation(token, invitee, MemberDetails(full_name="Khách Mời"))
    with pytest.raises(DomainError) as used:
        invitation_from_token(token)
    assert used.value.code == "used"
    with pytest.raises(DomainError) as forged:
        invitation_from_token(make_token("team-invite", {"i": invitation.id, "n": "wrong"}))
    assert forged.value.code == "invalid"


def test_hand_over_then_the_old_leader_may_leave(db):
    competition = make_competition()
    team = make_team(competition)
    second = make_user()
    invitation = invite(team, second.email, team.leader)
    accept_invitation(
        make_token("team-invite", {"i": invitation.id, "n": invitation.nonce}),
        second,
        MemberDetails(full_name=second.full_name),
    )
    old_leader = team.leader
    with pytest.raises(NotAllowed):
        leave_team(team, old_leader)
    hand_over(team, next(m for m in team.members if m.user_id == second.id))
    leave_team(team, old_leader)
    assert [m.user_id for m in team.members] == [second.id]


def test_members_cannot_change_after_the_deadline(db):
    competition = make_competition()
    team = make_team(competition)
    competition.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict) as info:
        add_member(team, MemberDetails(full_name="Trễ hạn"))
    assert info.value.code == "deadline_passed"


def test_ages_and_student_teams():
    assert age_on(date(1991, 6, 1), date(2026, 5, 31)) == 34
    assert age_on(date(1991, 6, 1), date(2026, 6, 1)) == 35
    team = Team(name="x")
    team.members = [
        Member(full_name="a", is_student=True),
        Member(full_name="b", is_student=True),
        Member(full_name="c", is_student=False),
    ]
    assert is_student_team(team)


def test_invitations_are_stored(db):
    competition = make_competition()
    team = make_team(competition)
    invite(team, "Moi@Example.VN", team.leader)
    assert db.session.scalar(select(TeamInvitation.email)) == "moi@example.vn"


def test_an_address_already_invited_or_in_the_team_is_not_invited_again(app, db, client):
    """Twice "Đã gửi lời mời", listed twice, two mails: now the second is refused and says why."""
    from contest.models import OutboxMessage
    from tests.factories import csrf_token, login

    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}")
    sent = {"invite-csrf_token": token, "invite-email": "moi@example.vn"}
    assert client.post(f"/teams/{team.id}/invite", data=sent).status_code == 302
    assert "Đã gửi lời mời tới moi@example.vn" in client.get(f"/teams/{team.id}").get_data(as_text=True)
    again = client.post(f"/teams/{team.id}/invite", data={**sent, "invite-email": "MOI@example.vn"})
    page = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "moi@example.vn đã được mời, chưa trả lời." in page and "mời lại" in page
    assert "Đã gửi lời mời" not in page
    assert _db.session.scalar(select(func.count()).select_from(TeamInvitation)) == 1
    assert _db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1

    leader_page = client.post(f"/teams/{team.id}/invite", data={**sent, "invite-email": team.leader.email})
    assert leader_page.status_code == 400 and "đã là thành viên" in leader_page.get_data(as_text=True)

    # Once the invitation has expired (7 days), the address may be invited again.
    invitation = _db.session.scalar(select(TeamInvitation))
    invitation.created_at = utcnow() - timedelta(days=8)
    _db.session.commit()
    invite(team, "moi@example.vn", team.leader)
    with pytest.raises(DomainError) as info:
        invite(team, "moi@example.vn", team.leader)
    assert info.value.code == "already_invited" and info.value.field == "email"
