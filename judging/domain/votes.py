"""The audience vote (giải do khán giả bình chọn).

An organizer opens a voting category on chosen entries for a period. A voter
confirms an e-mail address with a one-time code sent through the outbox (or is
signed in with a confirmed address) and casts one vote per category: the
unique (category, address) constraint holds it even when two requests arrive at
the same moment. Votes from one network arriving in a burst are flagged for the
organizers, who may void votes with a reason (audited). The final count is
frozen in a snapshot that keeps the voided votes with their reasons and may
carry an award tier, given to the winner through `judging.domain.awards`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from contest.domain import audit
from contest.domain.errors import Conflict, DomainError
from contest.domain.outbox import queue_mail
from contest.extensions import db
from contest.models import Competition, Entry, EntryStatus
from contest.models.base import length_of, utcnow
from judging.domain import awards
from judging.models import Award, AwardTier, Vote, VoteCampaign, VoteCandidate, VoteCode, VoteSnapshot

CODE_DIGITS = 6
CODE_MINUTES = 15
CODE_ATTEMPTS = 5
# Votes from one network within this window, at or above the category's threshold, are flagged.
BURST_WINDOW = timedelta(minutes=10)
NAME_MAX = length_of(VoteCampaign.__table__.c.name)
REASON_MAX = 1000
# The local part refuses mail syntax (comments, lists, quotes, angle brackets): a relay
# reading "(1)ban@x.vn" or "1,ban@x.vn" as RFC 5322 delivers it to ban@x.vn.
EMAIL_RE = re.compile(
    r"^[^@\s()<>\[\]:;\\,\"]{1,64}"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)

# Throwaway-mail services (the best known; an organizer may refuse them per category).
DISPOSABLE_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "10minutemail.net",
        "20minutemail.com",
        "discard.email",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getairmail.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "guerrillamail.org",
        "guerrillamailblock.com",
        "maildrop.cc",
        "mailinator.com",
        "mailinator.net",
        "mailnesia.com",
        "mintemail.com",
        "mohmal.com",
        "moakt.com",
        "mytemp.email",
        "sharklasers.com",
        "spam4.me",
        "temp-mail.org",
        "temp-mail.io",
        "tempmail.com",
        "tempmail.net",
        "tempmailo.com",
        "tempr.email",
        "throwawaymail.com",
        "trashmail.com",
        "trashmail.de",
        "yopmail.com",
        "yopmail.fr",
        "yopmail.net",
    }
)


# -- addresses and networks ---------------------------------------------------------


# Gmail ignores dots in the name and what follows a "+": one mailbox, one voter.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def normalise_email(text: str | None) -> str:
    email = (text or "").strip().lower()
    name, at, domain = email.rpartition("@")
    if at and name and domain in GMAIL_DOMAINS:
        name = name.partition("+")[0].replace(".", "")
        return f"{name}@gmail.com" if name else email
    return email


def check_email(campaign: VoteCampaign, email: str) -> str:
    """The address, normalised; refused when malformed or, if the category says
    so, at a throwaway-mail domain."""
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise DomainError(_("Enter an e-mail address such as ten@example.vn."), field="email", code="bad_email")
    domain = email.rpartition("@")[2]
    if campaign.refuse_disposable and (
        domain in DISPOSABLE_DOMAINS or any(domain.endswith("." + d) for d in DISPOSABLE_DOMAINS)
    ):
        raise DomainError(
            _("Addresses of throwaway-mail services cannot vote here. Use an address you keep."),
            field="email",
            code="disposable",
        )
    return email


def network_of(address: str | None) -> str:
    """The network an address belongs to, as the burst check and the rate limits
    count it: IPv4 /24, IPv6 /64 (one household or office)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:  # an IPv4 client through a dual-stack socket
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


# The narrowest network a vote is counted by (network_of) and the broadest one an organizer
# may trust: a hall's Wi-Fi, not a provider's whole range.
VOTE_PREFIX = {4: 24, 6: 64}
BROADEST_TRUSTED = {4: 16, 6: 48}
TRUSTED_MAX = 50


def parse_network(text: str | None) -> str:
    """A network the organizer typed, as the CIDR the burst check compares: an address
    stands for its network (network_of), and a network narrower than the one votes are
    counted by (203.113.5.16/28) for that one, since a vote keeps no more than its /24
    (IPv6 /64). Refused when it is not an address or a network, or broader than /16
    (IPv6 /48)."""
    text = "".join((text or "").split())
    try:
        net = ipaddress.ip_network(text, strict=False) if "/" in text else None
        if net is None:
            net = ipaddress.ip_network(network_of(str(ipaddress.ip_address(text))))
    except ValueError:
        raise DomainError(
            _("Enter a network such as 203.113.5.0/24, or one address of it such as 203.113.5.17."),
            field="network",
            code="bad_network",
        ) from None
    if net.prefixlen < BROADEST_TRUSTED[net.version]:
        raise DomainError(
            _(
                "This network is too broad: trust at most a /%(v4)d (IPv6: a /%(v6)d).",
                v4=BROADEST_TRUSTED[4],
                v6=BROADEST_TRUSTED[6],
            ),
            field="network",
            code="too_broad",
        )
    if net.prefixlen > VOTE_PREFIX[net.version]:
        net = net.supernet(new_prefix=VOTE_PREFIX[net.version])
    return str(net)


def _networks(texts) -> list:
    found = []
    for text in texts:
        try:
            found.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            continue
    return found


def is_trusted(campaign: VoteCampaign, network: str) -> bool:
    """Whether a vote's network (as network_of gives it) lies in one the organizers trust."""
    if not network or not campaign.trusted_networks:
        return False
    try:
        net = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False
    return any(
        net.version == trusted.version and net.subnet_of(trusted) for trusted in _networks(campaign.trusted_networks)
    )


def campaign_by_id(campaign_id: int) -> VoteCampaign | None:
    """The category with its competition, in one query; a second call in the same
    request (the rate limit's, then the view's) finds it in the session."""
    return db.session.get(VoteCampaign, campaign_id, options=[joinedload(VoteCampaign.competition)])


def network_is_trusted(campaign_id: int, network: str) -> bool:
    """`is_trusted` for a category known by its id (the rate limit, before the view runs)."""
    if not network:
        return False
    campaign = campaign_by_id(campaign_id)
    return campaign is not None and is_trusted(campaign, network)


# -- categories ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    candidate: VoteCandidate
    votes: int


def campaigns_of(competition: Competition) -> list[VoteCampaign]:
    return list(
        db.session.scalars(
            select(VoteCampaign).where(VoteCampaign.competition_id == competition.id).order_by(VoteCampaign.id)
        )
    )


def votable_entries(competition: Competition) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.competition_id == competition.id, Entry.status == EntryStatus.submitted)
            .order_by(Entry.code)
        )
    )


def create_campaign(
    competition: Competition,
    *,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    entry_ids: list[int],
    count_public: bool,
    refuse_disposable: bool = True,
    burst_threshold: int = 20,
    by=None,
) -> VoteCampaign:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Name the voting category."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_("At most %(max)d characters.", max=NAME_MAX), field="name")
    if closes_at <= opens_at:
        raise DomainError(_("The vote must close after it opens."), field="closes_at")
    if not 2 <= burst_threshold <= 100_000:
        raise DomainError(_("Number must be between %(min)s and %(max)s.", min=2, max=100_000), field="burst_threshold")
    allowed = {e.id: e for e in votable_entries(competition)}
    chosen = [allowed[i] for i in dict.fromkeys(entry_ids) if i in allowed]
    if not chosen:
        raise DomainError(_("Choose at least one submitted entry."), field="entries")
    campaign = VoteCampaign(
        competition_id=competition.id,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        count_public=count_public,
        refuse_disposable=refuse_disposable,
        burst_threshold=burst_threshold,
        created_at=utcnow(),
        created_by_id=getattr(by, "id", None),
    )
    campaign.candidates = [VoteCandidate(entry_id=e.id, position=i) for i, e in enumerate(chosen)]
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        "vote.opened",
        "vote_campaign",
        campaign.id,
        competition_id=competition.id,
        after={
            "name": name,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "entries": [e.code for e in chosen],
            "count_public": count_public,
        },
    )
    return campaign


def is_open(campaign: VoteCampaign, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return campaign.opens_at <= now < campaign.closes_at and campaign.frozen_at is None


def open_campaigns(competition_ids: list[int], now: datetime | None = None) -> list[VoteCampaign]:
    """The categories of these competitions open for votes now (as `is_open` says), by closing time."""
    if not competition_ids:
        return []
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(VoteCampaign)
            .where(
                VoteCampaign.competition_id.in_(competition_ids),
                VoteCampaign.opens_at <= now,
                VoteCampaign.closes_at > now,
                VoteCampaign.frozen_at.is_(None),
            )
            .options(joinedload(VoteCampaign.competition))
            .order_by(VoteCampaign.closes_at, VoteCampaign.id)
        )
    )


def _require_open(campaign: VoteCampaign) -> None:
    now = utcnow()
    if now < campaign.opens_at:
        raise Conflict(_("The vote has not opened yet."), code="not_open")
    if now >= campaign.closes_at or campaign.frozen_at is not None:
        raise Conflict(_("The vote has closed."), code="closed")


# -- one-time codes --------------------------------------------------------------------


def _code_hash(campaign_id: int, email: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"vote:{campaign_id}:{email}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(campaign: VoteCampaign, email: str, *, locale: str = "vi") -> VoteCode:
    """Queue a one-time code to the address (the outbox sends it once committed)."""
    _require_open(campaign)
    email = check_email(campaign, email)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = utcnow()
    row = VoteCode(
        campaign_id=campaign.id,
        email=email,
        code_hash=_code_hash(campaign.id, email, code),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    db.session.add(row)
    queue_mail(
        email,
        "vote_code",
        locale=locale,
        code=code,
        minutes=CODE_MINUTES,
        campaign=campaign,
        competition=campaign.competition,
    )
    db.session.flush()
    return row


def _take_attempt(row: VoteCode) -> bool:
    """Count one attempt at the code, by one UPDATE that rechecks the count: wrong codes
    sent at the same moment cannot each read the same count and get more than
    CODE_ATTEMPTS guesses between them. False when the attempts are used up."""
    taken = db.session.scalar(
        update(VoteCode)
        .where(VoteCode.id == row.id, VoteCode.attempts < CODE_ATTEMPTS)
        .values(attempts=VoteCode.attempts + 1)
        .returning(VoteCode.id)
        .execution_options(synchronize_session=False)
    )
    return taken is not None


def confirm_code(campaign: VoteCampaign, email: str, code: str) -> bool:
    """Whether `code` is the one last sent to the address and still good. A wrong
    code counts as an attempt (kept: the caller commits it); after
    CODE_ATTEMPTS the code is spent and a new one must be asked for."""
    email = normalise_email(email)
    row = db.session.scalar(
        select(VoteCode)
        .where(VoteCode.campaign_id == campaign.id, VoteCode.email == email, VoteCode.confirmed_at.is_(None))
        .order_by(VoteCode.id.desc())
        .limit(1)
    )
    if row is None or row.expires_at <= utcnow() or not _take_attempt(row):
        raise DomainError(_("This code has expired or was used up. Ask for a new one."), field="code", code="expired")
    given = re.sub(r"\D", "", code or "")
    if not hmac.compare_digest(row.code_hash, _code_hash(campaign.id, email, given)):
        db.session.flush()
        return False
    row.confirmed_at = utcnow()
    db.session.flush()
    return True


# -- votes -----------------------------------------------------------------------------


def vote_of(campaign: VoteCampaign, email: str) -> Vote | None:
    return db.session.scalar(
        select(Vote).where(Vote.campaign_id == campaign.id, Vote.voter_email == normalise_email(email))
    )


def cast_vote(
    campaign: VoteCampaign, entry_id: int, email: str, *, user_id: int | None = None, network: str = ""
) -> int:
    """One vote for the entry from a confirmed address: an INSERT of the entry's
    candidate row that the unique (category, address) constraint turns into
    nothing when the address has voted, whatever another request does at the same
    moment. The same statement counts the network's earlier votes in the burst
    window and flags the vote that reaches the threshold, and every later one; only
    a flagged vote costs a second statement, flagging the window's earlier votes.
    Refused before anything is changed, so the caller needs no savepoint."""
    _require_open(campaign)
    email = check_email(campaign, email)
    now = utcnow()
    columns = Vote.__table__.c
    given = {
        "campaign_id": campaign.id,
        "voter_email": email,
        "user_id": user_id,
        "network": network,
        "created_at": now,
    }
    watched = bool(network) and not is_trusted(campaign, network)
    # The count stops at the threshold, so a busy network costs no more than a quiet one.
    reaches = campaign.burst_threshold - 1  # earlier votes that, with this one, make a burst
    earlier = select(Vote.id).where(*_burst_window(campaign, network, now)).limit(reaches).subquery()
    flagged = (
        select(func.count()).select_from(earlier).scalar_subquery() >= reaches
        if watched
        else literal(False, type_=columns["flagged"].type)
    )
    chosen = select(
        VoteCandidate.id,
        *(literal(v, type_=columns[k].type).label(k) for k, v in given.items()),
        flagged.label("flagged"),
    ).where(VoteCandidate.campaign_id == campaign.id, VoteCandidate.entry_id == entry_id)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Vote)
        .from_select(["candidate_id", *given, "flagged"], chosen)
        .on_conflict_do_nothing(index_elements=["campaign_id", "voter_email"])
        .returning(Vote.id, Vote.flagged)
    )
    row = db.session.execute(statement).first()
    if row is None:
        if vote_of(campaign, email) is not None:
            raise Conflict(_("This address has already voted in this category. Thank you!"), code="already_voted")
        raise DomainError(_("This entry is not in the vote."), code="not_candidate")
    vote_id, is_flagged = row
    if is_flagged:
        db.session.execute(
            update(Vote)
            .where(*_burst_window(campaign, network, now), Vote.flagged.is_(False))
            .values(flagged=True)
            .execution_options(synchronize_session=False)
        )
    return vote_id


def _burst_window(campaign: VoteCampaign, network: str, now: datetime) -> tuple:
    """The network's votes in the category within the burst window before `now`."""
    return (Vote.campaign_id == campaign.id, Vote.network == network, Vote.created_at > now - BURST_WINDOW)


def _flagged_from(campaign: VoteCampaign, network: str) -> tuple:
    """The network's flagged votes in the category that still count (not voided)."""
    return (Vote.campaign_id == campaign.id, Vote.network == network, Vote.flagged.is_(True), Vote.voided_at.is_(None))


def tallies(campaign: VoteCampaign) -> list[Tally]:
    """The votes that count (not voided), per candidate, most first."""
    counted = dict(
        db.session.execute(
            select(Vote.candidate_id, func.count(Vote.id))
            .where(Vote.campaign_id == campaign.id, Vote.voided_at.is_(None))
            .group_by(Vote.candidate_id)
        )
        .tuples()
        .all()
    )
    rows = [Tally(c, counted.get(c.id, 0)) for c in campaign.candidates]
    return sorted(rows, key=lambda t: (-t.votes, t.candidate.position))


@dataclass(frozen=True)
class Burst:
    network: str
    votes: int
    first: datetime
    last: datetime


def flagged_bursts(campaign: VoteCampaign) -> list[Burst]:
    rows = (
        db.session.execute(
            select(Vote.network, func.count(Vote.id), func.min(Vote.created_at), func.max(Vote.created_at))
            .where(Vote.campaign_id == campaign.id, Vote.flagged.is_(True), Vote.voided_at.is_(None))
            .group_by(Vote.network)
            .order_by(func.count(Vote.id).desc())
        )
        .tuples()
        .all()
    )
    return [Burst(*row) for row in rows]


def recent_votes(campaign: VoteCampaign, *, flagged_only: bool = False, limit: int = 200) -> list[Vote]:
    query = select(Vote).where(Vote.campaign_id == campaign.id)
    if flagged_only:
        query = query.where(Vote.flagged.is_(True))
    return list(db.session.scalars(query.order_by(Vote.id.desc()).limit(limit)))


def void_votes(campaign: VoteCampaign, vote_ids: list[int], reason: str, by) -> int:
    """Void the votes (they stop counting, and stay with the reason). Audited."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Give the reason the votes are voided."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("At most %(max)d characters.", max=REASON_MAX), field="reason")
    votes = list(
        db.session.scalars(
            select(Vote).where(Vote.campaign_id == campaign.id, Vote.id.in_(vote_ids), Vote.voided_at.is_(None))
        )
    )
    if not votes:
        raise DomainError(_("Choose the votes to void."), field="votes")
    now = utcnow()
    for vote in votes:
        vote.voided_at, vote.voided_by_id, vote.void_reason = now, by.id, reason
    db.session.flush()
    audit.record(
        "vote.voided",
        "vote_campaign",
        campaign.id,
        competition_id=campaign.competition_id,
        after={"votes": [v.id for v in votes], "count": len(votes)},
        reason=reason,
    )
    return len(votes)


def void_burst(campaign: VoteCampaign, network: str, reason: str, by) -> int:
    ids = list(db.session.scalars(select(Vote.id).where(*_flagged_from(campaign, network))))
    return void_votes(campaign, ids, reason, by)


# -- the hall's networks ------------------------------------------------------------------


def _clean_reason(reason: str | None, missing: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(missing, field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("At most %(max)d characters.", max=REASON_MAX), field="reason")
    return reason


def _lock(campaign: VoteCampaign) -> None:
    """Read the category's row again under a lock, so two organizers changing its
    networks at once both keep their change (PostgreSQL; SQLite writes one at a time)."""
    db.session.refresh(campaign, attribute_names=["trusted_networks"], with_for_update=True)


def _trust(campaign: VoteCampaign, network: str) -> bool:
    """Add the network to the trusted ones; False when one of them already holds it."""
    if is_trusted(campaign, network):
        return False
    kept = list(campaign.trusted_networks or [])
    if len(kept) >= TRUSTED_MAX:
        raise DomainError(
            _("At most %(max)d networks can be trusted.", max=TRUSTED_MAX), field="network", code="too_many"
        )
    # Narrower networks the new one holds go: it stands for them.
    new = ipaddress.ip_network(network)
    kept = [
        text
        for text, net in zip(kept, _networks(kept), strict=False)
        if not (net.version == new.version and net.subnet_of(new))
    ]
    campaign.trusted_networks = [*kept, network]
    return True


def trust_network(campaign: VoteCampaign, text: str, by) -> str | None:
    """Trust a network for the category (the hall's Wi-Fi): its votes are not flagged as
    a burst from now on, and it has the hall's rate limit (RATELIMIT_VOTE_HALL_NETWORK); one
    vote per address and the per-address limits still hold. Votes it has flagged already
    stay flagged until the organizers accept them (accept_burst).
    The network as kept, or None when a trusted one already holds it. Audited."""
    network = parse_network(text)
    _lock(campaign)
    before = list(campaign.trusted_networks or [])
    if not _trust(campaign, network):
        return None
    _audit_trusted("vote.network_trusted", campaign, before, by)
    return network


def untrust_network(campaign: VoteCampaign, network: str, by) -> None:
    """Stop trusting a network: its later votes may be flagged again (earlier ones stay as
    they are). Audited."""
    _lock(campaign)
    before = list(campaign.trusted_networks or [])
    if network not in before:
        raise DomainError(_("This network is not among the trusted ones."), field="network", code="not_trusted")
    campaign.trusted_networks = [n for n in before if n != network]
    _audit_trusted("vote.network_untrusted", campaign, before, by)


def _audit_trusted(action: str, campaign: VoteCampaign, before: list[str], by) -> None:
    db.session.flush()
    audit.record(
        action,
        "vote_campaign",
        campaign.id,
        competition_id=campaign.competition_id,
        actor_id=getattr(by, "id", None),
        before={"trusted_networks": before},
        after={"trusted_networks": list(campaign.trusted_networks)},
    )


def accept_burst(campaign: VoteCampaign, network: str, reason: str, by) -> int:
    """The organizers accept a flagged burst as honest (the whole hall voting over its
    Wi-Fi): the network's flagged votes lose their flag (they were and stay counted) and
    the network is trusted for the category from now on. Audited with the reason. The
    number of votes accepted."""
    reason = _clean_reason(reason, _("Give the reason the votes are accepted."))
    flagged = _flagged_from(campaign, network)
    ids = list(db.session.scalars(select(Vote.id).where(*flagged).order_by(Vote.id)))
    if not network or not ids:
        raise DomainError(_("No flagged votes from this network."), field="network", code="no_burst")
    _lock(campaign)
    before = list(campaign.trusted_networks or [])
    _trust(campaign, parse_network(network))
    # The votes that still are flagged now (one may have been voided meanwhile).
    ids = sorted(
        db.session.scalars(
            update(Vote)
            .where(*flagged, Vote.id.in_(ids))
            .values(flagged=False)
            .returning(Vote.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.flush()
    audit.record(
        "vote.burst_accepted",
        "vote_campaign",
        campaign.id,
        competition_id=campaign.competition_id,
        actor_id=getattr(by, "id", None),
        before={"trusted_networks": before},
        after={
            "network": network,
            "votes": ids,
            "count": len(ids),
            "trusted_networks": list(campaign.trusted_networks),
        },
        reason=reason,
    )
    return len(ids)


# -- the frozen count ----------------------------------------------------------------


def latest_snapshot(campaign: VoteCampaign) -> VoteSnapshot | None:
    return db.session.scalar(
        select(VoteSnapshot).where(VoteSnapshot.campaign_id == campaign.id).order_by(VoteSnapshot.version.desc())
    )


def _masked(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:2]}***@{domain}"


def _final_count(campaign: VoteCampaign) -> tuple[list[dict], list[dict], str]:
    """What a freeze keeps: the tallies, every voided vote with its reason
    (addresses masked), and the hash of both."""
    counts = [
        {
            "entry": t.candidate.entry_id,
            "code": t.candidate.entry.code,
            "title": t.candidate.entry.title,
            "votes": t.votes,
        }
        for t in tallies(campaign)
    ]
    voided = [
        {
            "vote": v.id,
            "voter": _masked(v.voter_email),
            "entry": v.candidate.entry.code,
            "reason": v.void_reason,
            "voided_at": v.voided_at.isoformat() if v.voided_at else None,
        }
        for v in db.session.scalars(
            select(Vote).where(Vote.campaign_id == campaign.id, Vote.voided_at.is_not(None)).order_by(Vote.id)
        )
    ]
    return counts, voided, hashlib.sha256(json.dumps([counts, voided], sort_keys=True).encode()).hexdigest()


def frozen_count_is_stale(campaign: VoteCampaign, snapshot: VoteSnapshot | None) -> bool:
    """Votes were voided after the count was frozen: the frozen count, and any
    award it gave, no longer match the votes; the organizer should freeze again."""
    return snapshot is not None and _final_count(campaign)[2] != snapshot.inputs_hash


def freeze(campaign: VoteCampaign, by, award_tier: AwardTier | None = None) -> VoteSnapshot:
    """Freeze the final count once the vote has closed: the tallies, every voided
    vote with its reason (addresses masked), their hash. With an award tier, the
    entries with the most votes get it."""
    if utcnow() < campaign.closes_at:
        raise Conflict(_("The vote is still open: freeze the count once it has closed."), code="still_open")
    if award_tier is not None and award_tier.competition_id != campaign.competition_id:
        raise DomainError(_("This award is not the competition's."), field="award_tier")
    # One freeze at a time (a double click, two organizers): the next waits and takes the next version.
    db.session.refresh(campaign, attribute_names=["frozen_at"], with_for_update=True)
    counts, voided, digest = _final_count(campaign)
    version = (
        db.session.scalar(select(func.max(VoteSnapshot.version)).where(VoteSnapshot.campaign_id == campaign.id)) or 0
    ) + 1
    campaign.frozen_at = campaign.frozen_at or utcnow()
    snapshot = VoteSnapshot(
        campaign_id=campaign.id,
        version=version,
        counts=counts,
        voided=voided,
        inputs_hash=digest,
        award_tier_id=award_tier.id if award_tier else None,
        created_at=utcnow(),
        created_by_id=by.id,
    )
    db.session.add(snapshot)
    db.session.flush()
    audit.record(
        "vote.frozen",
        "vote_campaign",
        campaign.id,
        competition_id=campaign.competition_id,
        after={"version": version, "hash": digest, "counts": [(c["code"], c["votes"]) for c in counts]},
    )
    top = max((c["votes"] for c in counts), default=0)
    if award_tier is not None and top > 0:
        # A later freeze with the same award: an entry holding it already keeps its one.
        held = set(db.session.scalars(select(Award.entry_id).where(Award.tier_id == award_tier.id)))
        for row in counts:
            if row["votes"] == top and row["entry"] not in held:
                awards.give(
                    award_tier,
                    db.session.get_one(Entry, row["entry"]),
                    _("%(category)s: %(votes)d votes", category=campaign.name, votes=top),
                )
    return snapshot
