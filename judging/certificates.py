"""Award winners as certificate recipients, for `contest`'s certificate issuing."""

from __future__ import annotations

from contest.domain.certificates import Recipient
from judging.domain.awards import awards_of
from judging.domain.results import out_of_the_running


def award_recipients(competition) -> list[Recipient]:
    """Every member of every awarded team still in the running, with the award's name."""
    return [
        Recipient(
            member.full_name,
            award.entry.team.name,
            award.entry.title,
            award.tier.name,
            award.entry_id,
            award.entry.team_id,
            member.id,
        )
        for award in awards_of(competition)
        if not out_of_the_running(award.entry)
        for member in award.entry.team.members
    ]
