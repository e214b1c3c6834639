"""Headers, language and the no-outside-host rule."""

import re
from pathlib import Path

from contest.security import safe_next

ROOT = Path(__file__).resolve().parents[2]


def test_home_page_is_vietnamese_with_security_headers(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Cuộc thi khởi nghiệp đổi mới sáng tạo" in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_english_can_be_chosen(client):
    from tests.factories import csrf_token

    client.post("/locale", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client, "/")})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Innovative startup competitions" in html


def test_no_inline_script_in_templates():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", text, re.S):
            assert "src=" in match.group("attrs") and not match.group("body").strip(), f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
        assert 'style="' not in text.replace('style="--depth', ""), f"inline style in {path}"


def test_no_template_or_static_file_refers_to_an_outside_host():
    pattern = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".html", ".css", ".js", ".txt", ".svg", ".json"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
                if pattern.search(text) or "@import url(http" in text:
                    offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_safe_next_keeps_users_on_the_site():
    assert safe_next("/account/", "/") == "/account/"
    for evil in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/\nx", None, ""):
        assert safe_next(evil, "/") == "/"


def test_production_refuses_to_start_without_secrets(monkeypatch):
    import pytest

    from config import ConfigError, ProductionConfig
    from contest.factory import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError) as info:
        create_app(ProductionConfig)
    assert all(name in str(info.value) for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"))


def test_behind_a_proxy_the_visitors_address_is_the_forwarded_one(database_url):
    from flask import request

    from tests.conftest import make_app

    seen = {}
    for hops in (0, 1):
        app = make_app(database_url, TRUSTED_PROXY_COUNT=hops)

        @app.get("/_addr")
        def _addr(hops=hops):
            seen[hops] = request.remote_addr
            return ""

        app.test_client().get(
            "/_addr", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        )
    assert seen == {0: "127.0.0.1", 1: "203.0.113.7"}


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": True}


def test_healthz_says_503_when_the_database_is_unreachable(database_url):
    from tests.conftest import make_app

    broken = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False
