"""The competition's management menu, and the competition names on /manage/, link only
pages the visitor may open: the secretariat was shown Settings, Roles, Awards … (and the
name led to Settings), every one of them answering 403."""

from __future__ import annotations

import re

import pytest

from contest.domain.competitions import grant_role
from contest.models import CompetitionRoleKind
from tests.factories import login, make_competition, make_user, recorded_statements

SUBNAV = re.compile(r'<nav aria-label="[^"]*" class="subnav">(.*?)</nav>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')


def _people(db):
    competition = make_competition("khoi-nghiep-2026")
    admin = make_user("quan-tri@example.vn", admin=True)
    secretariat = make_user("thuky@example.vn")
    organizer = make_user("bantochuc@example.vn")
    grant_role(competition, secretariat.email, CompetitionRoleKind.secretariat, admin)
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, admin)
    db.session.commit()
    return competition, secretariat, organizer


def _menu(page: str) -> list[str]:
    found = SUBNAV.search(page)
    assert found, "no competition menu"
    return HREF.findall(found.group(1))


def _answers(client, hrefs):
    return {href: client.get(href.replace("&amp;", "&")).status_code for href in hrefs}


def test_the_secretariat_is_shown_no_link_that_answers_403(app, db):
    competition, secretariat, _organizer = _people(db)
    client = app.test_client()
    login(client, secretariat)
    index = client.get("/manage/").get_data(as_text=True)
    assert f'<a href="/manage/{competition.slug}/entries/">{competition.name}</a>' in index
    assert f"/manage/{competition.slug}/settings" not in index
    refused = {href: code for href, code in _answers(client, HREF.findall(index)).items() if code == 403}
    assert not refused
    menu = _menu(client.get(f"/manage/{competition.slug}/entries/").get_data(as_text=True))
    answers = _answers(client, menu)
    assert answers == {
        f"/c/{competition.slug}": 200,
        f"/manage/{competition.slug}/entries/": 200,
        f"/manage/{competition.slug}/proposals": 200,
    }


@pytest.mark.parametrize("who", ["organizer", "admin"])
def test_the_organizer_still_has_the_whole_menu(app, db, who):
    competition, _secretariat, organizer = _people(db)
    client = app.test_client()
    login(client, organizer if who == "organizer" else make_user("quan-tri-2@example.vn", admin=True))
    index = client.get("/manage/").get_data(as_text=True)
    assert f'<a href="/manage/{competition.slug}/settings">{competition.name}</a>' in index
    menu = _menu(client.get(f"/manage/{competition.slug}/entries/").get_data(as_text=True))
    assert (
        len(menu) == 12
    )  # public page, settings, roles, entries, 2 nominations, follow-up, 4 of judging, certificates
    assert set(_answers(client, menu).values()) == {200}


@pytest.mark.parametrize("who", ["secretariat", "organizer"])
def test_the_menu_costs_at_most_a_couple_of_queries(app, db, who):
    """The menu is on every management page: asking for each link the route's rule reuses
    what the request has already loaded."""
    competition, secretariat, organizer = _people(db)
    client = app.test_client()
    login(client, secretariat if who == "secretariat" else organizer)
    client.get(f"/manage/{competition.slug}/entries/")
    with recorded_statements(db) as seen:
        assert client.get(f"/manage/{competition.slug}/entries/").status_code == 200
    # The page's own: its rule's role check and the view's competition; the menu adds at most
    # the organizers' role check (the secretariat's page), not one query per link.
    assert sum("FROM competition_roles" in statement for statement in seen) <= 2, seen
    assert sum(statement.startswith("SELECT competitions.") for statement in seen) <= 2, seen
    assert len(seen) <= 11, seen
