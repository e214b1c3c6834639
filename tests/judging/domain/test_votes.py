"""The audience vote: one-time codes through the outbox, one vote per category
per address (held by the database, even at the same moment), throwaway domains,
bursts flagged, votes voided with a reason, the final count frozen."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.domain.errors import Conflict, DomainError
from contest.extensions import db as _db
from contest.models import AuditEvent, OutboxMessage
from contest.models.base import utcnow
from judging.domain import awards, votes
from judging.models import Award, Vote, VoteCampaign
from tests.conftest import at_the_same_moment
from tests.factories import make_competition, make_user, make_valid_entry, make_vote, vote_code_from_outbox


@pytest.fixture
def vote(db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    return make_vote(competition, entries), entries


def test_a_code_is_sent_through_the_outbox_and_confirms_the_address_once(db, vote):
    campaign, _entries = vote
    row = votes.send_code(campaign, "  Ban.Doc@Example.VN ")
    db.session.commit()
    assert row.email == "ban.doc@example.vn"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "ban.doc@example.vn"))
    assert "Mã bình chọn" in mail.subject
    code = vote_code_from_outbox("ban.doc@example.vn")
    assert code not in row.code_hash  # only its HMAC is kept
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert votes.confirm_code(campaign, "ban.doc@example.vn", wrong) is False
    assert votes.confirm_code(campaign, "ban.doc@example.vn", code) is True
    with pytest.raises(DomainError):  # used
        votes.confirm_code(campaign, "ban.doc@example.vn", code)


def test_a_code_is_spent_after_too_many_wrong_tries(db, vote):
    campaign, _entries = vote
    votes.send_code(campaign, "doan@example.vn")
    code = vote_code_from_outbox("doan@example.vn")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(votes.CODE_ATTEMPTS):
        assert votes.confirm_code(campaign, "doan@example.vn", wrong) is False
    with pytest.raises(DomainError) as info:
        votes.confirm_code(campaign, "doan@example.vn", code)
    assert info.value.code == "expired"


def test_one_vote_per_address_per_category(db, vote):
    campaign, entries = vote
    votes.cast_vote(campaign, entries[0].id, "mot@example.vn", network="203.0.113.0/24")
    with pytest.raises(Conflict) as info:
        votes.cast_vote(campaign, entries[1].id, "MOT@example.vn")
    assert info.value.code == "already_voted" and "đã bình chọn" in info.value.message
    other = make_vote(campaign.competition, entries, name="Dự án được yêu thích nhất")
    votes.cast_vote(other, entries[1].id, "mot@example.vn")  # another category: its own vote
    assert [t.votes for t in votes.tallies(campaign)] == [1, 0, 0]


def test_the_same_address_cannot_vote_twice_at_the_same_moment(app, db, vote):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two transactions at once need PostgreSQL; SQLite is for `make run` only")
    campaign, entries = vote
    _db.session.commit()
    campaign_id, entry_ids = campaign.id, [e.id for e in entries]

    def cast(i, ready):
        current = _db.session.get(VoteCampaign, campaign_id)
        current.candidates  # noqa: B018 - loaded before the race, as the page would have
        ready()
        votes.cast_vote(current, entry_ids[i], "cung-luc@example.vn", network="198.51.100.0/24")
        return "ok"

    results = at_the_same_moment(app, cast)
    assert sorted(results) == ["already_voted", "ok"], results
    _db.session.expire_all()
    stored = _db.session.scalar(
        select(func.count(Vote.id)).where(Vote.campaign_id == campaign_id, Vote.voter_email == "cung-luc@example.vn")
    )
    assert stored == 1


def test_throwaway_addresses_are_refused_when_the_category_says_so(db, vote):
    campaign, entries = vote
    with pytest.raises(DomainError) as info:
        votes.send_code(campaign, "x@mailinator.com")
    assert info.value.code == "disposable"
    with pytest.raises(DomainError):
        votes.cast_vote(campaign, entries[0].id, "y@sub.yopmail.com")
    with pytest.raises(DomainError) as bad:
        votes.send_code(campaign, "not-an-address")
    assert bad.value.code == "bad_email"
    campaign.refuse_disposable = False
    votes.cast_vote(campaign, entries[0].id, "y@yopmail.com")


def test_a_vote_outside_the_period_or_for_another_entry_is_refused(db, vote):
    campaign, entries = vote
    outsider = make_valid_entry(campaign.competition)
    with pytest.raises(DomainError) as info:
        votes.cast_vote(campaign, outsider.id, "a@example.vn")
    assert info.value.code == "not_candidate"
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Conflict) as closed:
        votes.cast_vote(campaign, entries[0].id, "a@example.vn")
    assert closed.value.code == "closed"


def test_a_burst_from_one_network_is_flagged(db, vote):
    campaign, entries = vote
    campaign.burst_threshold = 3
    for i in range(2):
        votes.cast_vote(campaign, entries[0].id, f"b{i}@example.vn", network="203.0.113.0/24")
    votes.cast_vote(campaign, entries[1].id, "khac@example.vn", network="192.0.2.0/24")
    assert not votes.flagged_bursts(campaign)
    votes.cast_vote(campaign, entries[0].id, "b2@example.vn", network="203.0.113.0/24")
    bursts = votes.flagged_bursts(campaign)
    assert [(b.network, b.votes) for b in bursts] == [("203.0.113.0/24", 3)]
    # A later vote of the burst is flagged as it is cast.
    votes.cast_vote(campaign, entries[1].id, "b3@example.vn", network="203.0.113.0/24")
    assert [(b.network, b.votes) for b in votes.flagged_bursts(campaign)] == [("203.0.113.0/24", 4)]
    # Once the window has passed, the network votes unflagged again.
    for earlier in db.session.scalars(select(Vote)):
        earlier.created_at -= votes.BURST_WINDOW
    db.session.flush()
    latest = votes.cast_vote(campaign, entries[0].id, "b4@example.vn", network="203.0.113.0/24")
    assert db.session.get(Vote, latest).flagged is False


def test_network_of_groups_households():
    assert votes.network_of("203.0.113.77") == "203.0.113.0/24"
    assert votes.network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert votes.network_of("garbage") == ""


def test_an_ipv4_client_seen_through_a_dual_stack_socket_is_its_ipv4_network():
    # A listener on [::] reports IPv4 clients as ::ffff:a.b.c.d: as a /64, every one of
    # them would be the same network ("::/64"), one burst and one rate limit for the province.
    assert votes.network_of("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert votes.network_of("::ffff:198.51.100.9") != votes.network_of("::ffff:203.0.113.77")


def test_voided_votes_leave_the_frozen_count_with_their_reason(db, vote):
    campaign, entries = vote
    organizer = make_user("btc@example.vn")
    awards.ensure_default_tiers(campaign.competition)
    tier = awards.add_tier(campaign.competition, "Giải do khán giả bình chọn", 1, 5_000_000, special=True)
    for i in range(3):
        votes.cast_vote(campaign, entries[0].id, f"a{i}@example.vn", network="203.0.113.0/24")
    for i in range(2):
        votes.cast_vote(campaign, entries[1].id, f"b{i}@example.vn", network="192.0.2.0/24")
    with pytest.raises(DomainError):
        votes.void_votes(campaign, [1], "  ", organizer)
    scripted = list(
        _db.session.scalars(select(Vote.id).where(Vote.voter_email.in_(["a0@example.vn", "a1@example.vn"])))
    )
    assert votes.void_votes(campaign, scripted, "Bỏ phiếu bằng kịch bản từ một máy", organizer) == 2
    with pytest.raises(Conflict):  # still open
        votes.freeze(campaign, organizer, tier)
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    snapshot = votes.freeze(campaign, organizer, tier)
    assert [(c["code"], c["votes"]) for c in snapshot.counts] == [
        (entries[1].code, 2),
        (entries[0].code, 1),
        (entries[2].code, 0),
    ]
    assert len(snapshot.voided) == 2
    assert {v["reason"] for v in snapshot.voided} == {"Bỏ phiếu bằng kịch bản từ một máy"}
    assert all(v["voter"].startswith(("a0", "a1")) and "***@example.vn" in v["voter"] for v in snapshot.voided)
    assert len(snapshot.inputs_hash) == 64 and snapshot.award_tier_id == tier.id
    # The winner gets the award; the voiding and the freeze are in the audit log.
    given = _db.session.scalars(select(Award).where(Award.tier_id == tier.id)).all()
    assert [a.entry_id for a in given] == [entries[1].id]
    actions = set(_db.session.scalars(select(AuditEvent.action)))
    assert {"vote.opened", "vote.voided", "vote.frozen"} <= actions
    voided_event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "vote.voided"))
    assert voided_event.reason == "Bỏ phiếu bằng kịch bản từ một máy"
    # Frozen: the vote no longer takes votes.
    with pytest.raises(Conflict):
        votes.cast_vote(campaign, entries[2].id, "muon@example.vn")


def test_a_category_needs_a_name_a_period_and_submitted_entries(db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    now = utcnow()
    base = {"opens_at": now, "closes_at": now + timedelta(days=1), "count_public": True}
    with pytest.raises(DomainError):
        votes.create_campaign(competition, name=" ", entry_ids=[entry.id], **base)
    with pytest.raises(DomainError):
        votes.create_campaign(
            competition, name="Bình chọn", entry_ids=[entry.id], **{**base, "closes_at": now - timedelta(hours=1)}
        )
    with pytest.raises(DomainError):
        votes.create_campaign(competition, name="Bình chọn", entry_ids=[999_999], **base)


# -- the hall's networks ----------------------------------------------------------------


def test_an_organizer_types_a_network_an_address_or_a_narrower_network(db):
    assert votes.parse_network(" 203.113.5.0/24 ") == "203.113.5.0/24"
    assert votes.parse_network("203.113.5.17") == "203.113.5.0/24"  # an address: its /24
    assert votes.parse_network("203.113.5.16/28") == "203.113.5.0/24"  # votes keep no more than the /24
    assert votes.parse_network("203.113.0.0/22") == "203.113.0.0/22"  # a large hall's Wi-Fi
    assert votes.parse_network("2001:db8:1:2::7") == "2001:db8:1:2::/64"
    assert votes.parse_network("2001:db8:1::/48") == "2001:db8:1::/48"
    for bad in ("", "hội trường", "203.113.5.0/33", "203.113.5", "300.1.1.1", "1.2.3.4/abc"):
        with pytest.raises(DomainError) as info:
            votes.parse_network(bad)
        assert info.value.field == "network" and info.value.code == "bad_network"
        assert "203.113.5.0/24" in info.value.message
    for broad in ("0.0.0.0/0", "10.0.0.0/8", "2001:db8::/32"):
        with pytest.raises(DomainError) as info:
            votes.parse_network(broad)
        assert info.value.code == "too_broad"


def test_votes_from_a_trusted_network_are_not_flagged_while_others_still_are(db, vote):
    campaign, entries = vote
    organizer = make_user("btc@example.vn")
    campaign.burst_threshold = 3
    assert votes.trust_network(campaign, "203.113.5.40", organizer) == "203.113.5.0/24"
    for i in range(5):
        votes.cast_vote(campaign, entries[i % 3].id, f"hoi-truong{i}@example.vn", network="203.113.5.0/24")
    for i in range(3):
        votes.cast_vote(campaign, entries[0].id, f"kich-ban{i}@example.vn", network="198.51.100.0/24")
    assert [(b.network, b.votes) for b in votes.flagged_bursts(campaign)] == [("198.51.100.0/24", 3)]
    assert sum(t.votes for t in votes.tallies(campaign)) == 8
    # One address, one vote, from the hall too.
    with pytest.raises(Conflict):
        votes.cast_vote(campaign, entries[1].id, "hoi-truong0@example.vn", network="203.113.5.0/24")
    # A broader trusted network holds the /24 votes are counted by; another family never matches.
    campaign.trusted_networks = ["192.0.0.0/22"]
    assert votes.is_trusted(campaign, "192.0.2.0/24") and not votes.is_trusted(campaign, "192.0.4.0/24")
    assert not votes.is_trusted(campaign, "2001:db8:1:2::/64") and not votes.is_trusted(campaign, "")


def test_trusting_and_removing_a_network_is_audited(db, vote):
    campaign, _entries = vote
    organizer = make_user("btc@example.vn")
    votes.trust_network(campaign, "203.113.5.0/24", organizer)
    assert votes.trust_network(campaign, "203.113.5.9", organizer) is None  # already held: nothing recorded
    votes.trust_network(campaign, "2001:db8:1:2::/64", organizer)
    with pytest.raises(DomainError) as bad:
        votes.trust_network(campaign, "không phải mạng", organizer)
    assert bad.value.field == "network"
    with pytest.raises(DomainError) as unknown:
        votes.untrust_network(campaign, "192.0.2.0/24", organizer)
    assert unknown.value.code == "not_trusted"
    votes.untrust_network(campaign, "203.113.5.0/24", organizer)
    _db.session.commit()
    _db.session.expire_all()
    assert _db.session.get(VoteCampaign, campaign.id).trusted_networks == ["2001:db8:1:2::/64"]
    events = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("vote.network%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.before, e.after) for e in events] == [
        ("vote.network_trusted", {"trusted_networks": []}, {"trusted_networks": ["203.113.5.0/24"]}),
        (
            "vote.network_trusted",
            {"trusted_networks": ["203.113.5.0/24"]},
            {"trusted_networks": ["203.113.5.0/24", "2001:db8:1:2::/64"]},
        ),
        (
            "vote.network_untrusted",
            {"trusted_networks": ["203.113.5.0/24", "2001:db8:1:2::/64"]},
            {"trusted_networks": ["2001:db8:1:2::/64"]},
        ),
    ]
    assert all(e.actor_id == organizer.id for e in events)


def test_accepting_a_burst_unflags_its_votes_trusts_its_network_and_is_audited(db, vote):
    campaign, entries = vote
    organizer = make_user("btc@example.vn")
    campaign.burst_threshold = 3
    for i in range(4):
        votes.cast_vote(campaign, entries[0].id, f"khan-gia{i}@example.vn", network="203.113.5.0/24")
    for i in range(3):
        votes.cast_vote(campaign, entries[1].id, f"may{i}@example.vn", network="198.51.100.0/24")
    assert {b.network for b in votes.flagged_bursts(campaign)} == {"203.113.5.0/24", "198.51.100.0/24"}
    with pytest.raises(DomainError) as no_reason:
        votes.accept_burst(campaign, "203.113.5.0/24", "  ", organizer)
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError) as none:
        votes.accept_burst(campaign, "192.0.2.0/24", "Wi-Fi của hội trường", organizer)
    assert none.value.code == "no_burst"
    assert votes.accept_burst(campaign, "203.113.5.0/24", "  Wi-Fi của   hội trường ", organizer) == 4
    _db.session.commit()
    # The hall's votes lose their flag and still count; the other burst stays flagged.
    assert [b.network for b in votes.flagged_bursts(campaign)] == ["198.51.100.0/24"]
    assert [t.votes for t in votes.tallies(campaign)][:2] == [4, 3]
    assert campaign.trusted_networks == ["203.113.5.0/24"]
    votes.cast_vote(campaign, entries[2].id, "den-sau@example.vn", network="203.113.5.0/24")
    assert not _db.session.scalar(select(Vote.flagged).where(Vote.voter_email == "den-sau@example.vn"))
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "vote.burst_accepted"))
    assert event.reason == "Wi-Fi của hội trường" and event.actor_id == organizer.id
    assert event.before == {"trusted_networks": []}
    assert event.after["count"] == 4 and event.after["network"] == "203.113.5.0/24"
    assert event.after["trusted_networks"] == ["203.113.5.0/24"]


def test_freezing_again_with_the_same_award_does_not_give_it_twice(db, vote):
    campaign, entries = vote
    organizer = make_user("btc-lai@example.vn")
    tier = awards.add_tier(campaign.competition, "Giải khán giả", 1, 1_000_000, special=True)
    votes.cast_vote(campaign, entries[0].id, "mot@example.vn", network="203.0.113.0/24")
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    votes.freeze(campaign, organizer, tier)
    # A vote found dishonest later is voided and the count frozen again with the same award.
    second = votes.freeze(campaign, organizer, tier)
    assert second.version == 2
    given = _db.session.scalars(select(Award.entry_id).where(Award.tier_id == tier.id)).all()
    assert given == [entries[0].id]


def test_wrong_codes_sent_at_the_same_moment_still_count_against_the_attempts(app, db, vote):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    campaign, _entries = vote
    votes.send_code(campaign, "doan-ma@example.vn")
    _db.session.commit()
    code = vote_code_from_outbox("doan-ma@example.vn")
    campaign_id, tries = campaign.id, 2 * votes.CODE_ATTEMPTS

    def guess(i, ready):
        current = _db.session.get(VoteCampaign, campaign_id)
        typed = f"{(int(code) + 1 + i) % 1_000_000:06d}"
        ready()
        return votes.confirm_code(current, "doan-ma@example.vn", typed)

    results = at_the_same_moment(app, guess, tries)
    # Only CODE_ATTEMPTS guesses were compared with the code; the others were refused.
    assert results.count(False) == votes.CODE_ATTEMPTS, results
    assert results.count("expired") == tries - votes.CODE_ATTEMPTS


@pytest.mark.parametrize("address", ["(1)ban@example.vn", "1,ban@example.vn", '"1"ban@example.vn', "x<ban@example.vn"])
def test_an_address_with_mail_syntax_around_another_is_refused(db, vote, address):
    # A mail relay reading RFC 5322 sends "(1)ban@example.vn" or "1,ban@example.vn" to
    # ban@example.vn: each would be one more vote from the same mailbox.
    campaign, _entries = vote
    with pytest.raises(DomainError) as info:
        votes.check_email(campaign, address)
    assert info.value.code == "bad_email"


def test_gmail_dots_and_plus_tags_are_one_mailbox_with_one_vote(db, vote):
    # Gmail ignores dots and what follows a "+": b.a.n+1@gmail.com is ban@gmail.com's mailbox.
    campaign, entries = vote
    votes.cast_vote(campaign, entries[0].id, "Ban.Doc@gmail.com")
    for again in ("bandoc+1@gmail.com", "b.a.n.d.o.c@googlemail.com", " BANDOC+x.y@GMAIL.COM "):
        with pytest.raises(Conflict):
            votes.cast_vote(campaign, entries[1].id, again)
    assert votes.check_email(campaign, "Ban.Doc+hoi-thi@gmail.com") == "bandoc@gmail.com"
    assert votes.check_email(campaign, "ban.doc+x@example.vn") == "ban.doc+x@example.vn"  # other providers: as typed
    assert [t.votes for t in votes.tallies(campaign)] == [1, 0, 0]


def test_two_freezes_at_the_same_moment_make_two_versions(app, db, vote):
    # A double click on "Freeze", or two organizers at once: no clash on the version number.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    campaign, entries = vote
    organizer = make_user("btc-cung-luc@example.vn")
    votes.cast_vote(campaign, entries[0].id, "mot@example.vn")
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()
    campaign_id, organizer_id = campaign.id, organizer.id

    def freeze(_i, ready):
        current = _db.session.get(VoteCampaign, campaign_id)
        by = _db.session.get(type(organizer), organizer_id)
        ready()
        return votes.freeze(current, by).version

    results = at_the_same_moment(app, freeze)
    assert sorted(results, key=str) == [1, 2], results
