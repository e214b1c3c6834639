"""The public results page: nothing before the announcement, then the frozen
publication, cacheable (compressed by nginx, not here), and never a logged-in page shared."""

from datetime import timedelta

from contest.models.base import utcnow
from judging.domain import awards, publication, results
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import RoundState
from tests.factories import login, make_competition, make_judge, make_round, make_valid_entry


def _published(app, db, when):
    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội công khai {i}") for i in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    with app.test_request_context():
        for n, entry in enumerate(entries):
            for c in round_.rubric.criteria:
                apply_change(
                    round_.id, entry.id, judge.user_id, Change(f"{entry.id}-{c.id}", c.id, c.max_points - n, None, None)
                )
            submit_sheet(round_.id, entry.id, judge.user_id)
        round_.state = RoundState.locked
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        publication.publish(competition, snapshot, when, None)
    db.session.commit()
    return competition


def test_nothing_before_the_announcement(client, app, db):
    competition = _published(app, db, utcnow() + timedelta(hours=2))
    page = client.get(f"/c/{competition.slug}/results")
    assert 'data-results="none"' in page.get_data(as_text=True) and "Đội công khai" not in page.get_data(as_text=True)
    assert client.get(f"/c/{competition.slug}/results.json").json == {"published": False}


def test_published_page_is_cacheable_and_left_to_nginx_to_compress(client, app, db):
    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    plain = client.get(f"/c/{competition.slug}/results")
    assert "Đội công khai 0" in plain.get_data(as_text=True) and "Giải Nhất" in plain.get_data(as_text=True)
    assert plain.headers["Cache-Control"].startswith("public") and plain.headers["ETag"]
    asked = client.get(f"/c/{competition.slug}/results", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in asked.headers and asked.data == plain.data
    again = client.get(f"/c/{competition.slug}/results", headers={"If-None-Match": plain.headers["ETag"].strip('"')})
    assert again.status_code == 304


def test_the_shared_page_carries_no_visitors_token_and_still_switches_language(client, app, db):
    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    page = client.get(f"/c/{competition.slug}/results").get_data(as_text=True)
    assert "csrf_token" not in page
    switched = client.get(f"/locale?locale=en&next=/c/{competition.slug}/results", follow_redirects=True)
    assert switched.request.path == f"/c/{competition.slug}/results" and 'lang="en"' in switched.get_data(as_text=True)
    assert client.get("/locale?locale=en&next=https://evil.example/").location == "/"


def test_a_logged_in_visitor_gets_a_private_page(client, app, db):
    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    from contest.models import Team

    leader = db.session.query(Team).filter_by(competition_id=competition.id).first().leader
    login(client, leader)
    page = client.get(f"/c/{competition.slug}/results")
    assert page.headers["Cache-Control"].startswith("private") and leader.full_name in page.get_data(as_text=True)


def test_a_draft_competitions_results_are_not_public_even_when_a_publication_exists(client, app, db):
    from contest.models import CompetitionState

    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    competition.state = CompetitionState.draft  # e.g. a publication restored into a competition not yet opened
    db.session.commit()
    publication.forget_cached(competition.slug)
    for path in (f"/c/{competition.slug}/results", f"/c/{competition.slug}/results.json"):
        response = client.get(path)
        assert response.status_code == 404 and "Đội công khai" not in response.get_data(as_text=True)


def test_visitors_of_the_results_with_different_query_strings_get_their_own_pages(client, app, db):
    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    url = f"/c/{competition.slug}/results"
    first = client.get(f"{url}?utm_source=nguoi-dau-tien").get_data(as_text=True)
    second_page = app.test_client().get(f"{url}?fbclid=nguoi-thu-hai").get_data(as_text=True)
    plain = app.test_client().get(url).get_data(as_text=True)
    assert "Đội công khai 0" in first and f'value="{url}?utm_source=nguoi-dau-tien"' in first
    assert f'value="{url}?fbclid=nguoi-thu-hai"' in second_page and "nguoi-dau-tien" not in second_page
    assert f'name="next" value="{url}"' in plain and "nguoi-" not in plain
