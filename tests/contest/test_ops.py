"""Operations: request ids, readiness."""


def test_request_id_is_returned_and_reused(client):
    response = client.get("/healthz")
    assert len(response.headers["X-Request-ID"]) == 16
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234567890"})
    assert given.headers["X-Request-ID"] == "lb-1234567890"
    for hostile in ("<script>alert(1)</script>", "a" * 200, "short"):
        assert client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"] != hostile


def test_readyz_reports_migrations(client, app):
    response = client.get("/readyz")
    # The test database is made by create_all, not by migrations: not at head.
    assert response.json["database"] is True and response.json["migrations"] is False
    assert response.status_code == 503


def test_json_log_lines_carry_the_request_id(app, client, capsys):
    import json
    import logging

    from contest.ops import JsonFormatter, RequestIdFilter

    with app.test_request_context():
        from flask import g

        g.request_id = "abc12345"
        record = logging.LogRecord("contest", logging.INFO, __file__, 1, "hello %s", ("Quảng Ngãi",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc12345" and line["message"] == "hello Quảng Ngãi"
