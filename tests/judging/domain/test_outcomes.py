"""What decides a contest after scoring, end to end: an award taken back takes
its certificates with it, ties at a line are not settled by the entries'
codes, and advancing again moves the same entries into the next round."""

from datetime import date

import pytest
from sqlalchemy import select

from contest.domain import certificates
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.models import Certificate
from contest.models.base import utcnow
from judging.domain import awards, results
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import RoundState
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def _score(round_, judge, entry, value_of):
    for criterion in round_.rubric.criteria:
        apply_change(
            round_.id,
            entry.id,
            judge.user_id,
            Change(
                f"{round_.id}-{judge.id}-{entry.id}-{criterion.id}", criterion.id, value_of(criterion), None, "test"
            ),
        )
    submit_sheet(round_.id, entry.id, judge.user_id)


def _scored(app, points):
    """A locked round of one judge; entry i scores points[i] tenths of the maximum on every criterion."""
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in points]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    with app.test_request_context():
        for entry, share in zip(entries, points, strict=True):
            _score(round_, judge, entry, lambda c, share=share: c.step * int(c.max_points / c.step * share / 10))
    round_.state = RoundState.locked
    db.session.commit()
    return competition, round_, entries


def _award_certificates(entry) -> list[Certificate]:
    return list(
        db.session.scalars(select(Certificate).where(Certificate.entry_id == entry.id, Certificate.award_name != ""))
    )


def test_an_award_taken_back_revokes_its_certificates(app, db):
    competition, round_, entries = _scored(app, [9, 6, 3])
    app.config["CERTIFICATE_BATCH_IN_THREAD"] = False
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        certificates.start_batch(competition, date(2026, 12, 20), None)
        db.session.commit()
        first = next(a for a in awards.awards_of(competition) if a.entry_id == entries[0].id)
        assert [c.award_name for c in _award_certificates(entries[0])] == ["Giải Nhất"]
        awards.take_back(first, "Hồ sơ sao chép ý tưởng")
        db.session.commit()
    held = _award_certificates(entries[0])
    assert held and all(c.revoked_at is not None for c in held)
    assert held[0].revoked_reason == "Hồ sơ sao chép ý tưởng"
    # The team's participation certificates and the others' awards stand.
    assert all(c.revoked_at is None for c in _award_certificates(entries[1]))
    participation = db.session.scalars(
        select(Certificate).where(Certificate.entry_id == entries[0].id, Certificate.award_name == "")
    ).all()
    assert participation and all(c.revoked_at is None for c in participation)


def test_awards_proposed_again_revoke_the_certificates_of_awards_that_moved(app, db):
    competition, round_, entries = _scored(app, [9, 6, 3])
    app.config["CERTIFICATE_BATCH_IN_THREAD"] = False
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        certificates.start_batch(competition, date(2026, 12, 20), None)
        db.session.commit()
        # Giải Nhất now has two per board: the second entry moves up from Giải Nhì.
        tiers = awards.tiers_of(competition)
        tiers[0].count_per_board = 2
        awards.propose(competition, snapshot)
        db.session.commit()
    assert all(c.revoked_at is None for c in _award_certificates(entries[0]))
    second = {c.award_name: c for c in _award_certificates(entries[1])}
    assert second["Giải Nhì"].revoked_at is not None
    third = {c.award_name: c for c in _award_certificates(entries[2])}
    assert third["Giải Ba"].revoked_at is not None
    with app.test_request_context():
        certificates.start_batch(competition, date(2026, 12, 20), None)
        db.session.commit()
    now_held = {c.award_name for c in _award_certificates(entries[1]) if c.revoked_at is None}
    assert now_held == {"Giải Nhất"}


def _organizer_client(app, competition):
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from tests.factories import csrf_token, login, make_user

    user = make_user(name="Ban tổ chức")
    grant_role(competition, user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    client = app.test_client()
    login(client, user)
    client.token = csrf_token(client, "/account/")
    return client


def test_an_award_given_twice_by_a_double_submit_is_refused_not_a_500(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        sponsor = awards.add_tier(competition, "Giải của nhà tài trợ", 1, 5_000_000, special=True)
    db.session.commit()
    boss = _organizer_client(app, competition)
    path = f"/manage/{competition.slug}/judging/awards"
    form = {"csrf_token": boss.token, "action": "give", "tier": sponsor.id, "code": entry.code}
    assert boss.post(path, data=form).status_code == 302
    again = boss.post(path, data=form, follow_redirects=True)
    assert again.status_code == 200
    assert len(awards.awards_of(competition)) == 1


def test_a_second_ranked_award_for_one_entry_is_refused(app, db):
    # The results page shows one ranked award per entry; certificates would print both.
    competition = make_competition()
    entry = make_valid_entry(competition)
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        first, second = awards.tiers_of(competition)[:2]
        awards.give(second, entry, "Ban giám khảo thống nhất")
        with pytest.raises(DomainError) as refused:
            awards.give(first, entry, "Nâng giải")
        assert second.name in refused.value.message
        sponsor = awards.add_tier(competition, "Giải của nhà tài trợ", 1, 5_000_000, special=True)
        awards.give(sponsor, entry, None)  # a sponsor's prize beside it is fine
    assert sorted(a.tier.name for a in awards.awards_of(competition)) == sorted([second.name, sponsor.name])


def test_a_tie_across_an_award_line_is_not_settled_by_the_entry_codes(app, db):
    # The second and third entries share rank 2: Giải Nhì (one per board) cannot go to
    # one of them and Giải Ba to the other because of the order of their codes.
    competition, round_, entries = _scored(app, [9, 6, 6])
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        assert [s["rank"] for s in sorted(snapshot.standings, key=lambda s: s["rank"])] == [1, 2, 2]
        awards.ensure_default_tiers(competition)
        with pytest.raises(DomainError) as refused:
            awards.propose(competition, snapshot)
    assert entries[1].code in refused.value.message and entries[2].code in refused.value.message
    assert awards.awards_of(competition) == []
    # The chair's recorded decision separates them; frozen again, the proposal goes through.
    with app.test_request_context():
        results.set_method(round_, "mean", 0, 1, [{"kind": "chair_decision", "label": "Chủ tịch quyết định"}])
        results.set_chair_order(round_, [entries[2].code, entries[1].code], "Biên bản họp số 4")
        snapshot = results.freeze(round_, None, "Quyết định của chủ tịch hội đồng")
        awards.propose(competition, snapshot)
    given = {a.entry_id: a.tier.name for a in awards.awards_of(competition)}
    assert given == {entries[0].id: "Giải Nhất", entries[2].id: "Giải Nhì", entries[1].id: "Giải Ba"}


def test_a_tie_inside_one_award_tier_is_proposed(app, db):
    competition, round_, entries = _scored(app, [9, 6, 3, 2, 2])
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)  # Khuyến khích: two per board
        awards.propose(competition, snapshot)
    given = {a.entry_id: a.tier.name for a in awards.awards_of(competition)}
    assert given[entries[3].id] == given[entries[4].id] == "Giải Khuyến khích"


def test_advancement_does_not_cut_a_tie_at_the_top_n_by_code(app, db):
    from judging.domain import advancement

    competition, round_, entries = _scored(app, [9, 6, 6, 3])
    with app.test_request_context():
        results.freeze(round_, None)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=False)
        preview = advancement.preview(round_)
    qualifies = {c.standing["entry"]: c.qualifies for rows in preview.values() for c in rows}
    assert qualifies == {entries[0].id: True, entries[1].id: True, entries[2].id: True, entries[3].id: False}


def test_advancing_again_moves_the_same_entries_into_the_next_round(app, db):
    from contest.models import AuditEvent, OutboxMessage
    from judging.domain import advancement
    from judging.models import Assignment

    competition, round_, entries = _scored(app, [9, 6, 3])
    following = make_round(competition, [], [], name="Chung kết", state="preparing")
    judge = make_judge(competition)
    with app.test_request_context():
        results.freeze(round_, None)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=False)
        advancement.apply(round_, {entries[0].id, entries[1].id}, None)
        db.session.commit()
        for entry in entries[:2]:
            db.session.add(Assignment(round_id=following.id, judge_id=judge.id, entry_id=entry.id, created_at=utcnow()))
        db.session.commit()
        mails = db.session.query(OutboxMessage).count()
        # The same form sent twice: nobody is told twice.
        advancement.apply(round_, {entries[0].id, entries[1].id}, None)
        db.session.commit()
        assert db.session.query(OutboxMessage).count() == mails
        # The jury drops the second entry: it leaves the final, with its judges' assignments.
        advancement.apply(round_, {entries[0].id}, "Hồ sơ thứ hai vi phạm thể lệ")
        db.session.commit()
    db.session.refresh(following)
    assert {re.entry_id for re in following.entries} == {entries[0].id}
    assert {a.entry_id for a in db.session.scalars(select(Assignment).where(Assignment.round_id == following.id))} == {
        entries[0].id
    }
    assert {re.entry_id for re in round_.entries if re.advanced} == {entries[0].id}
    last = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "advancement.applied").order_by(AuditEvent.id.desc())
    ).first()
    assert last.before == {"advanced": sorted([entries[0].id, entries[1].id])}
    assert last.after["advanced"] == [entries[0].id]


def test_who_goes_on_cannot_change_once_the_next_round_has_opened(app, db):
    from judging.domain import advancement

    competition, round_, entries = _scored(app, [9, 6, 3])
    following = make_round(competition, [], [], name="Chung kết", state="preparing")
    with app.test_request_context():
        results.freeze(round_, None)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=False)
        advancement.apply(round_, {entries[0].id, entries[1].id}, None)
        following.state = RoundState.open
        db.session.commit()
        with pytest.raises(DomainError):
            advancement.apply(round_, {entries[0].id}, "Hồ sơ thứ hai vi phạm thể lệ")
    db.session.rollback()
    assert {re.entry_id for re in round_.entries if re.advanced} == {entries[0].id, entries[1].id}


def _mark_invalid(app, entry):
    from contest.domain.entries import set_validity
    from contest.models import EntryValidity

    with app.test_request_context():
        set_validity(entry, EntryValidity.invalid, "Ý tưởng sao chép từ cuộc thi khác")
    db.session.commit()


def test_an_entry_marked_invalid_after_scoring_is_not_ranked(app, db):
    competition, round_, entries = _scored(app, [9, 6, 3])
    _mark_invalid(app, entries[0])
    with app.test_request_context():
        computed = results.compute(round_)
        assert [s.entry for s in computed.standings] == [entries[1].id, entries[2].id]
        assert [s.rank for s in computed.standings] == [1, 2]
        assert any(entries[0].code in w for w in computed.warnings)
        snapshot = results.freeze(round_, None)
    assert {s["entry"] for s in snapshot.standings} == {entries[1].id, entries[2].id}
    assert {i["entry"] for i in snapshot.inputs} == {entries[1].id, entries[2].id}


def test_frozen_results_that_rank_an_entry_since_marked_invalid_decide_nothing(app, db):
    from judging.domain import advancement, publication

    competition, round_, entries = _scored(app, [9, 6, 3])
    make_round(competition, [], [], name="Chung kết", state="preparing")
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=False)
        db.session.commit()
    _mark_invalid(app, entries[0])
    with app.test_request_context():
        assert any(entries[0].code in w for w in results.compute(round_).warnings)  # the page says so
        preview = {c.standing["entry"]: c for rows in advancement.preview(round_).values() for c in rows}
        assert not preview[entries[0].id].qualifies
        for decide in (
            lambda: awards.propose(competition, snapshot),
            lambda: publication.publish(competition, snapshot, utcnow(), None),
            lambda: advancement.apply(round_, {entries[0].id, entries[1].id}, "Theo biên bản"),
            lambda: awards.give(awards.tiers_of(competition)[0], entries[0], "Theo biên bản"),
        ):
            with pytest.raises(DomainError) as refused:
                decide()
            assert entries[0].code in refused.value.message
        # Frozen again, the entry is left out and the rest decides as usual.
        again = results.freeze(round_, None, "Hồ sơ bị loại")
        awards.propose(competition, again)
        advancement.apply(round_, {entries[1].id, entries[2].id}, None)
    assert entries[0].id not in {a.entry_id for a in awards.awards_of(competition)}


def test_no_award_certificate_is_issued_for_an_entry_since_marked_invalid(app, db):
    competition, round_, entries = _scored(app, [9, 6, 3])
    app.config["CERTIFICATE_BATCH_IN_THREAD"] = False
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        awards.propose(competition, results.freeze(round_, None))
        db.session.commit()
    _mark_invalid(app, entries[0])
    with app.test_request_context():
        certificates.start_batch(competition, date(2026, 12, 20), None)
        db.session.commit()
    assert _award_certificates(entries[0]) == []
    assert [c.award_name for c in _award_certificates(entries[1])] == ["Giải Nhì"]


def _needs_postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")


def test_two_freezes_of_a_round_at_the_same_moment_one_is_refused_with_a_message(app, db):
    # A double click on "Freeze", or two organizers at once: no clash on the version number (a 500).
    from judging.models import Round
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    _, round_, _ = _scored(app, [9, 6, 3])
    round_id = round_.id

    def freeze(_i, ready):
        current = db.session.get(Round, round_id)
        ready()
        return results.freeze(current, None).version

    assert sorted(at_the_same_moment(app, freeze), key=str) == [1, "DomainError"]


def test_two_publications_at_the_same_moment_one_is_refused_with_a_message(app, db):
    from contest.models import Competition
    from judging.domain import publication
    from judging.models import ResultSnapshot
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    competition, round_, _ = _scored(app, [9, 6, 3])
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
    db.session.commit()
    competition_id, snapshot_id = competition.id, snapshot.id

    def publish(_i, ready):
        with app.test_request_context():
            current = db.session.get(Competition, competition_id)
            frozen = db.session.get(ResultSnapshot, snapshot_id)
            ready()
            return publication.publish(current, frozen, utcnow(), None).version

    assert sorted(at_the_same_moment(app, publish), key=str) == [1, "DomainError"]


def test_two_award_proposals_at_the_same_moment_make_one_set_of_awards(app, db):
    from contest.models import Competition
    from judging.models import ResultSnapshot
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    competition, round_, _ = _scored(app, [9, 6, 3])
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
    db.session.commit()
    competition_id, snapshot_id = competition.id, snapshot.id

    def propose(_i, ready):
        with app.test_request_context():
            current = db.session.get(Competition, competition_id)
            frozen = db.session.get(ResultSnapshot, snapshot_id)
            ready()
            return len(awards.propose(current, frozen))

    assert at_the_same_moment(app, propose) == [3, 3]
    assert len(awards.awards_of(competition)) == 3


def test_changing_the_fewest_scores_per_entry_is_audited(app, db):
    # min_scores decides which judges fall back to raw totals under z-scores: it changes standings.
    from contest.models import AuditEvent

    _, round_, _ = _scored(app, [9, 6, 3])
    with app.test_request_context():
        results.set_method(round_, "zscore", 0, 3, [])
        results.set_method(round_, "zscore", 0, 5, [])
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "results.method").order_by(AuditEvent.id.desc())
    ).first()
    assert event.before["min_scores"] == 3 and event.after["min_scores"] == 5


def test_advancement_applied_twice_at_the_same_moment_is_applied_once(app, db):
    # A double click on "Apply": the next round takes each entry once, each team is told once.
    from contest.models import OutboxMessage
    from judging.domain import advancement
    from judging.models import Round
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    competition, round_, entries = _scored(app, [9, 6, 3])
    following = make_round(competition, [], [], name="Chung kết", state="preparing")
    with app.test_request_context():
        results.freeze(round_, None)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=False)
    db.session.commit()
    round_id, chosen = round_.id, {entries[0].id, entries[1].id}
    mails = db.session.query(OutboxMessage).count()

    def apply(_i, ready):
        with app.test_request_context():
            current = db.session.get(Round, round_id)
            ready()
            return advancement.apply(current, chosen, None)

    assert at_the_same_moment(app, apply) == [2, 2]
    db.session.expire_all()
    assert sorted(re.entry_id for re in db.session.get(Round, following.id).entries) == sorted(chosen)
    assert db.session.query(OutboxMessage).count() == mails + 2


def test_certificates_generated_twice_at_the_same_moment_are_issued_once(app, db):
    # A double click on "Generate": each holder gets one valid certificate, not two serials.
    from contest.models import Competition
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    competition, round_, entries = _scored(app, [9, 6, 3])
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        awards.propose(competition, results.freeze(round_, None))
        certificates.ensure_templates(competition)
    db.session.commit()
    competition_id = competition.id

    def generate(_i, ready):
        with app.test_request_context():
            current = db.session.get(Competition, competition_id)
            ready()
            return certificates.start_batch(current, date(2026, 12, 20), None, in_thread=False).total

    totals = at_the_same_moment(app, generate)
    valid = db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None))).all()
    held = [(c.template_id, c.entry_id, c.member_id, c.award_name) for c in valid]
    assert len(held) == len(set(held)) == totals[0] == totals[1]


def test_withdrawing_the_results_twice_does_not_publish_them_again(app, db):
    # A double click on "Withdraw the results": the second request found nothing to withdraw
    # and went on to publish the results at once, mailing every team.
    from judging.domain import publication
    from judging.models import Publication

    competition, round_, _ = _scored(app, [9, 6, 3])
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        publication.publish(competition, snapshot, utcnow(), None)
    db.session.commit()
    boss = _organizer_client(app, competition)
    path = f"/manage/{competition.slug}/judging/publish"
    form = {"csrf_token": boss.token, "action": "withdraw", "reason": "Sai điểm một giám khảo"}
    assert boss.post(path, data=form).status_code == 302
    assert boss.post(path, data=form).status_code in (302, 409)
    db.session.expire_all()
    rows = db.session.scalars(select(Publication)).all()
    assert len(rows) == 1 and rows[0].withdrawn_at is not None
    assert publication.visible_publication(competition.slug) is None


def test_an_award_taken_back_twice_at_the_same_moment_is_refused_with_a_message(app, db):
    from contest.models import AuditEvent
    from judging.models import Award
    from tests.conftest import at_the_same_moment

    _needs_postgresql(db)
    competition, round_, entries = _scored(app, [9, 6, 3])
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        awards.propose(competition, results.freeze(round_, None))
    db.session.commit()
    award_id = awards.awards_of(competition)[0].id

    def take_back(_i, ready):
        with app.test_request_context():
            award = db.session.get(Award, award_id)
            award.tier, award.entry  # noqa: B018 - loaded before the race, as the page does
            ready()
            awards.take_back(award, "Nhầm hồ sơ")
            return "removed"

    assert sorted(at_the_same_moment(app, take_back)) == ["Conflict", "removed"]
    removals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "award.removed")).all()
    assert len(removals) == 1


def test_an_award_to_an_entry_outside_the_final_standings_is_published(app, db, client):
    # A sponsor's prize (or the audience vote's) for an entry that left in the first round:
    # its certificate is printed, so the published results name it too.
    from judging.domain import publication

    competition, round_, entries = _scored(app, [9, 6, 3])
    outside = make_valid_entry(competition, name="Đội bị loại vòng trước")
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        sponsor = awards.add_tier(competition, "Giải của nhà tài trợ", 1, 5_000_000, special=True)
        awards.give(sponsor, outside, None)
        publication.publish(competition, snapshot, utcnow(), None)
    db.session.commit()
    data = client.get(f"/c/{competition.slug}/results.json").json
    assert [(a["award"], a["code"], a["title"]) for a in data["other_awards"]] == [
        ("Giải của nhà tài trợ", outside.code, outside.title)
    ]
    page = client.get(f"/c/{competition.slug}/results").get_data(as_text=True)
    assert "Giải của nhà tài trợ" in page and outside.title in page


def test_results_are_not_published_while_an_entry_since_marked_invalid_holds_an_award(app, db):
    from judging.domain import publication

    competition, round_, entries = _scored(app, [9, 6, 3])
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        awards.propose(competition, results.freeze(round_, None))
        db.session.commit()
    _mark_invalid(app, entries[0])
    with app.test_request_context():
        again = results.freeze(round_, None, "Hồ sơ bị loại")  # the standings leave it out, its award stayed
        with pytest.raises(DomainError) as refused:
            publication.publish(competition, again, utcnow(), None)
        assert entries[0].code in refused.value.message
        first = next(a for a in awards.awards_of(competition) if a.entry_id == entries[0].id)
        awards.take_back(first, "Hồ sơ bị loại")
        awards.propose(competition, again)
        publication.publish(competition, again, utcnow(), None)


def test_an_entry_since_marked_invalid_cannot_be_chosen_to_go_on(app, db):
    from judging.domain import advancement

    competition, round_, entries = _scored(app, [9, 6, 3])
    _mark_invalid(app, entries[0])
    with app.test_request_context():
        results.freeze(round_, None)  # the standings leave it out
        with pytest.raises(DomainError) as refused:
            advancement.apply(round_, {entries[0].id, entries[1].id}, "Ban giám khảo đề nghị")
    assert entries[0].code in refused.value.message
