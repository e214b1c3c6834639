"""The site's own error pages: in its layout and the reader's language, never Werkzeug's bare page."""

from flask import abort


def test_a_bad_request_gets_the_site_s_translated_error_page(app, client):
    app.add_url_rule("/_essai/400", "essai_400", lambda: abort(400))
    app.add_url_rule("/_essai/400-noi-ro", "essai_400_noi_ro", lambda: abort(400, "Ngày này không có trong lịch."))
    bare = client.get("/_essai/400")
    page = bare.get_data(as_text=True)
    assert bare.status_code == 400 and "Bad Request" not in page and "<main" in page
    assert "Không hiểu được yêu cầu này. Hãy quay lại và thử lại." in page
    described = client.get("/_essai/400-noi-ro")
    page = described.get_data(as_text=True)
    assert described.status_code == 400 and "<h1>Ngày này không có trong lịch.</h1>" in page and "<main" in page
    answer = client.get("/_essai/400", headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.json["error"] == "bad_request"
