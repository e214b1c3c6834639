"""What a publication tells the pages around it: each board's own ranks, which
competitions have results public now (for the links and the status badge), and
the award a team won (issue 19, points 4 and 5)."""

from __future__ import annotations

from datetime import timedelta

from contest.domain.competitions import public_statuses, results_urls
from contest.domain.projects import awards_won
from contest.models import CompetitionState
from contest.models.base import utcnow
from judging.domain.publication import board_ranks, public_competition_ids
from tests.factories import announce_results, make_competition, make_judge, make_round, make_valid_entry


def test_each_board_ranks_its_own_entries_from_one():
    rows = [{"rank": 2}, {"rank": 4}, {"rank": 4}, {"rank": 7}]
    assert board_ranks(rows) == [1, 2, 2, 4]
    assert board_ranks([]) == []


def test_only_results_public_now_are_linked(app, db):
    now_ = make_competition("cong-bo-roi")
    later = make_competition("cong-bo-sau")
    nothing = make_competition("chua-cong-bo")
    winner = make_valid_entry(now_, name="Đội Nhất")
    announce_results(app, now_, [winner, make_valid_entry(now_)])
    announce_results(app, later, [make_valid_entry(later)], when=utcnow() + timedelta(hours=3))
    ids = [now_.id, later.id, nothing.id]
    with app.test_request_context():
        assert public_competition_ids(ids) == {now_.id}
        assert results_urls(ids) == {now_.id: "/c/cong-bo-roi/results"}
        statuses = public_statuses([now_, later, nothing])
        assert statuses[now_.id].state is CompetitionState.results_published
        assert statuses[now_.id].results_url == "/c/cong-bo-roi/results"
        assert statuses[later.id].results_url is None and statuses[later.id].state is CompetitionState.open
        assert awards_won(winner) == ("Giải Nhất",)


def test_a_withdrawn_publication_is_no_longer_linked(app, db):
    from judging.domain import publication

    competition = make_competition("rut-lai")
    announce_results(app, competition, [make_valid_entry(competition)])
    with app.test_request_context():
        publication.withdraw(publication.current_publication_row(competition), "Sai sót khi nhập điểm")
        db.session.commit()
        assert results_urls([competition.id]) == {}


def test_a_competition_past_its_deadline_shows_judging_once_a_round_is_scored(app, db):
    competition = make_competition("dang-cham")
    entry = make_valid_entry(competition)
    competition.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with app.test_request_context():
        assert public_statuses([competition])[competition.id].state is CompetitionState.closed
    round_ = make_round(competition, [entry], [make_judge(competition)], state="preparing")
    with app.test_request_context():
        assert public_statuses([competition])[competition.id].state is CompetitionState.closed
    from judging.models import RoundState

    round_.state = RoundState.open
    db.session.commit()
    with app.test_request_context():
        status = public_statuses([competition])[competition.id]
        assert (status.state, status.results_url) == (CompetitionState.judging, None)
