"""Likely conflicts of interest, from plain data (docs/domain.md §5).

The system only proposes; an organizer confirms or dismisses each proposal.
Rules: the judge is a member of the team; the judge shares the school or
workplace of the team or of a member; the judge shares a non-public e-mail
domain with a member; in unit-level contests, the judge belongs to the team's
unit. Reasons are codes with parameters, for the caller to translate.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass

# Addresses anyone can get say nothing about where a person works.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.com.vn",
        "ymail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "aol.com",
        "mail.com",
        "gmx.com",
        "yandex.com",
    }
)


@dataclass(frozen=True)
class JudgeFacts:
    id: Hashable
    user_id: Hashable
    email: str
    organisation: str | None
    unit_id: Hashable | None


@dataclass(frozen=True)
class MemberFacts:
    user_id: Hashable | None
    email: str | None
    organisation: str | None


@dataclass(frozen=True)
class EntryFacts:
    id: Hashable
    team_organisation: str | None
    team_unit_id: Hashable | None
    members: tuple[MemberFacts, ...]


@dataclass(frozen=True)
class Suspicion:
    judge_id: Hashable
    entry_id: Hashable
    code: str  # team_member | same_organisation | same_mail_domain | same_unit
    detail: str


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "").casefold()
    return " ".join(text.replace(",", " ").replace(".", " ").split())


def mail_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


def suspect(judges: Iterable[JudgeFacts], entries: Iterable[EntryFacts], *, unit_level: bool) -> Iterator[Suspicion]:
    """At most one suspicion per (judge, entry): the strongest rule wins."""
    entries = list(entries)
    for judge in judges:
        judge_org = _norm(judge.organisation)
        judge_domain = mail_domain(judge.email)
        for entry in entries:
            found = _first_reason(judge, judge_org, judge_domain, entry, unit_level)
            if found is not None:
                yield Suspicion(judge.id, entry.id, *found)


def _first_reason(judge, judge_org, judge_domain, entry, unit_level):
    if any(m.user_id is not None and m.user_id == judge.user_id for m in entry.members):
        return "team_member", ""
    if judge_org:
        for org in (entry.team_organisation, *(m.organisation for m in entry.members)):
            if _norm(org) == judge_org:
                return "same_organisation", org or ""
    if judge_domain and judge_domain not in PUBLIC_MAIL_DOMAINS:
        if any(mail_domain(m.email) == judge_domain for m in entry.members):
            return "same_mail_domain", judge_domain
    if unit_level and judge.unit_id is not None and judge.unit_id == entry.team_unit_id:
        return "same_unit", ""
    return None


# -- conflicts a person declared once, in the registry of experts ------------------------


@dataclass(frozen=True)
class Declaration:
    """A conflict of interest the judge's person declared (a company, a school, a relative's project)."""

    judge_id: Hashable
    ref: Hashable  # the declaration's id
    name: str
    registration_number: str = ""


@dataclass(frozen=True)
class EntryNames:
    """What an entry is known by: its project, team, school or workplace, enterprises."""

    id: Hashable
    names: tuple[str, ...]
    registration_numbers: tuple[str, ...] = ()


def _registration(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isalnum()).upper()


def declared_touches(
    declarations: Iterable[Declaration], entries: Iterable[EntryNames]
) -> Iterator[tuple[Declaration, Hashable]]:
    """(declaration, entry id) for each entry a declaration touches: the same
    registration number, or the declared name found in one of the entry's names
    (a name of at least 4 letters, so "ABC" does not catch everything)."""
    entries = list(entries)
    for declaration in declarations:
        name, number = _norm(declaration.name), _registration(declaration.registration_number)
        for entry in entries:
            if number and number in {_registration(n) for n in entry.registration_numbers}:
                yield declaration, entry.id
                continue
            if not name:
                continue
            for candidate in map(_norm, entry.names):
                if candidate and (candidate == name or (len(name) >= 4 and name in candidate)):
                    yield declaration, entry.id
                    break
