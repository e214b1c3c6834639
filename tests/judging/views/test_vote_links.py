"""The public finds an open audience vote: the competition's page and the home page link it
("Bình chọn: <name> — đang mở đến <time>") while it is open, and say nothing of it before it
opens, once it has closed, or once it is frozen."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from contest import cache
from contest.i18n import format_moment
from contest.models.base import utcnow
from tests.factories import make_competition, make_valid_entry, make_vote

NAME = "Dự án được yêu thích nhất"


def _pages(client, competition) -> list[str]:
    cache.clear()  # the competition's page is kept a few seconds for everyone
    return [unescape(client.get(path).get_data(as_text=True)) for path in (f"/c/{competition.slug}", "/")]


def test_an_open_vote_is_linked_from_the_competition_and_home_pages(app, client, db):
    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
    campaign = make_vote(competition, entries, name=NAME, open_for_days=3)
    with app.test_request_context():
        until = format_moment(campaign.closes_at)
    link = f'<a href="/c/{competition.slug}/vote/{campaign.id}">Bình chọn: {NAME} — đang mở đến {until}</a>'

    for page in _pages(client, competition):
        assert link in page, page

    # Not open yet: nothing.
    now = utcnow()
    campaign.opens_at, campaign.closes_at = now + timedelta(hours=2), now + timedelta(days=3)
    db.session.commit()
    for page in _pages(client, competition):
        assert f"/vote/{campaign.id}" not in page and NAME not in page

    # Closed: nothing.
    campaign.opens_at, campaign.closes_at = now - timedelta(days=3), now - timedelta(minutes=1)
    db.session.commit()
    for page in _pages(client, competition):
        assert f"/vote/{campaign.id}" not in page and NAME not in page

    # Open again by the clock, but frozen (counted): nothing.
    campaign.closes_at, campaign.frozen_at = now + timedelta(days=1), now
    db.session.commit()
    for page in _pages(client, competition):
        assert f"/vote/{campaign.id}" not in page and NAME not in page
