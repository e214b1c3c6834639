"""The competition's public page at the deadline rush: anonymous visitors share
a few seconds' copy without anyone's CSRF token; logged-in visitors never do."""

from tests.factories import login, make_competition, make_user, recorded_statements


def test_anonymous_visitors_share_a_short_lived_copy(client, db):
    competition = make_competition("cong-khai-2026")
    first = client.get(f"/c/{competition.slug}")
    assert first.status_code == 200 and "csrf_token" not in first.get_data(as_text=True)
    with recorded_statements(db) as seen:
        assert client.get(f"/c/{competition.slug}").data == first.data
    assert seen == []  # served from memory, no query
    assert client.get("/c/khong-co-cuoc-thi-nay").status_code == 404


def test_a_logged_in_visitor_gets_their_own_page(client, db):
    competition = make_competition("cong-khai-2026")
    client.get(f"/c/{competition.slug}")
    user = make_user("xem@example.vn", name="Người Xem Riêng")
    login(client, user)
    page = client.get(f"/c/{competition.slug}").get_data(as_text=True)
    assert "Người Xem Riêng" in page and "csrf_token" in page


def test_visitors_with_different_query_strings_get_their_own_pages(app, client, db):
    competition = make_competition("cong-khai-2026")
    url = f"/c/{competition.slug}"
    first = client.get(f"{url}?utm_source=nguoi-dau-tien").get_data(as_text=True)
    second = app.test_client().get(f"{url}?fbclid=nguoi-thu-hai").get_data(as_text=True)
    plain = app.test_client().get(url).get_data(as_text=True)
    assert 'value="/c/cong-khai-2026?utm_source=nguoi-dau-tien"' in first
    assert 'value="/c/cong-khai-2026?fbclid=nguoi-thu-hai"' in second and "nguoi-dau-tien" not in second
    assert f'name="next" value="{url}"' in plain and "nguoi-" not in plain
    # ... and a page made for a query string is not the one kept for everyone.
    with recorded_statements(db) as seen:
        assert app.test_client().get(url).get_data(as_text=True) == plain
    assert seen == []
