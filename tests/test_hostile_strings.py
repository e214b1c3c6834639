"""Hostile strings typed into every text field, checked where they come out.

Script tags, event-handler attributes, `javascript:` links, ReportLab markup,
spreadsheet formulas, right-to-left overrides, NFD Vietnamese, 10,000-character
names and NUL bytes go in through the real forms (CSRF and all) and the JSON
autosave. They must come back out escaped in HTML, as text (never a formula)
in CSV and XLSX, printed as typed in PDFs and as typed in mails, and no
request may end in a 500. The browser half (nothing runs in Chromium) is
tests/browser/test_hostile_strings_browser.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from datetime import date, timedelta
from html import unescape as html_unescape
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from contest.domain.exports import FORMULA_TRIGGERS
from contest.extensions import db as _db
from contest.models import CompetitionRoleKind, Team, User
from contest.models.base import Base, utcnow
from tests.factories import (
    PASSWORD,
    csrf_token,
    login,
    make_competition,
    make_team,
    make_user,
    pdf_bytes,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "javascript:alert(1)"
REPORTLAB = "<para><b>bold</b><font color=red>x</font></para>"
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://evil","x")']
RTL = "\u202eRTL override gpj.exe"
NFD = "Nguye\u0302\u0303n Văn An"  # "Nguyễn" as some keyboards send it
TEMPLATE = "{{ 7*7 }} {% raw %}"
LONG = ("Nguyễn " * 1429)[:10_000]  # a 10,000-character name
NUL = "a\x00b"

# Everything a team could type that must be stored and shown back harmlessly.
HOSTILE = [SCRIPT, IMG, JS_LINK, REPORTLAB, *FORMULAS, RTL, NFD, TEMPLATE]
# The page flow is the slow test: formulas are harmless in HTML (the quote of
# HYPERLINK stays, as a sample) and go through the same forms in the export test.
HTML_PAYLOADS = [p for p in HOSTILE if p not in FORMULAS[:-1]]
assert len(LONG) == 10_000

ENTRY_TEXT = ("title", "summary", "problem", "solution", "customers_market", "business_model", "team_strengths")


# -- helpers ----------------------------------------------------------------------------


class _ActiveContent(HTMLParser):
    """Collects whatever in a page could run: inline scripts (the CSP allows none
    of ours), event-handler attributes, javascript: URLs, the injected <img>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("inline <script>")
        if tag == "img" and attributes.get("src") == "x":
            self.found.append("injected <img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if (
                name in ("href", "src", "action", "formaction", "data")
                and value
                and re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def assert_inert(html: str, where: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    assert not parser.found, f"active content on {where}: {parser.found}"
    assert SCRIPT not in html and "<img src=x" not in html and "<para>" not in html, f"raw markup on {where}"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    html = response.get_data(as_text=True)
    assert_inert(html, path)
    return html


def shown(value: str) -> str:
    """How Jinja writes a stored value into a page."""
    return str(escape(value))


def no_nul_stored() -> None:
    """PostgreSQL text cannot hold NUL: nothing may reach a table with one."""
    for table in Base.metadata.sorted_tables:
        for row in _db.session.execute(select(table)).all():
            for value in row:
                if isinstance(value, str):
                    assert "\x00" not in value, f"NUL stored in {table.name}: {value!r}"
                elif isinstance(value, dict | list):
                    assert "\\u0000" not in repr(value) and "\x00" not in repr(value), f"NUL in {table.name}"


def post(client, path: str, data: dict, *, token_from: str | None = None, prefix: str = ""):
    token = csrf_token(client, token_from or path)
    return client.post(path, data={f"{prefix}csrf_token": token, **data})


def autosave(client, team, values: dict):
    token = csrf_token(client, f"/teams/{team.id}/entry")
    return client.post(f"/teams/{team.id}/entry/autosave", json=values, headers={"X-CSRFToken": token})


def new_team_data(name: str, person: str, **extra) -> dict:
    return {
        "name": name,
        "team_organisation": person,
        "org_unit": "0",
        "show_names_publicly": "y",
        "full_name": person,
        "date_of_birth": "1998-05-17",
        "gender": "female",
        "phone": "",
        "organisation": person,
        "role_in_team": person,
        **extra,
    }


def secretary_of(competition):
    from contest.domain.competitions import grant_role

    user = make_user()
    grant_role(competition, user.email, CompetitionRoleKind.secretariat, granted_by=make_user(admin=True))
    _db.session.commit()
    return user


def stored(value: str) -> str:
    """Entry texts are NFC with control and format characters removed (contest.domain.entries.clean_text)."""
    from contest.domain.entries import clean_text

    return clean_text(value)


def pdf_text(data: bytes) -> str:
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def csv_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [cell for row in rows for cell in row]


def assert_no_formula_text(cells: list[str], where: str) -> None:
    """A spreadsheet runs text that starts (after spaces) with = + - @ tab or CR."""
    for cell in cells:
        assert not cell.lstrip().startswith(FORMULA_TRIGGERS), f"{where}: formula-like cell {cell[:40]!r}"


def workbook_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_cells(data: bytes, where: str) -> list:
    """No formula in the file, and formula-like text is kept as typed and marked
    quotePrefix (Excel then keeps it text even when the cell is edited); the
    leading apostrophe is for CSV only."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), f"{where}: formula element in {name}"
    cells = workbook_cells(data)
    for cell in cells:
        assert cell.data_type != "f", f"{where}: {cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str) and cell.value.lstrip().startswith(FORMULA_TRIGGERS):
            assert cell.quotePrefix, f"{where}: {cell.coordinate} {cell.value!r}"
    return cells


def marked_texts(cells) -> list:
    """XLSX cells' values, a quotePrefix cell written as the CSV writes it ("'" + text),
    so the two files' cells compare alike."""
    return ["'" + c.value if c.quotePrefix else c.value for c in cells]


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def competition(db):
    return make_competition(gallery_enabled=True)


@pytest.fixture
def leader(db):
    return make_user()


# -- HTML: stored, then shown escaped on every page ---------------------------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS, ids=lambda p: repr(p)[:24])
def test_team_member_and_entry_fields_are_shown_escaped(client, app, db, competition, leader, payload):
    """One payload in every text field a team fills in, then every page that shows them."""
    login(client, leader)
    token = csrf_token(client, "/account/")
    slug = competition.slug

    response = client.post("/account/", data={"csrf_token": token, "full_name": payload, "phone": "", "locale": "vi"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert shown(payload) in page(client, "/account/")

    response = client.post(f"/c/{slug}/team/new", data={"csrf_token": token, **new_team_data(payload, payload)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    team = db.session.scalar(select(Team).where(Team.competition_id == competition.id))

    response = client.post(
        f"/teams/{team.id}/members",
        data={
            "member-csrf_token": token,
            "member-full_name": payload,
            "member-email": "",
            "member-date_of_birth": "2000-01-02",
            "member-organisation": payload,
            "member-role_in_team": payload,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    # The entry: every text field by autosave (as the page's script sends it), then by the plain form.
    values = {key: payload for key in ENTRY_TEXT}
    response = client.post(f"/teams/{team.id}/entry/autosave", json=values, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json["errors"] == {}
    response = client.post(
        f"/teams/{team.id}/entry",
        data={
            "csrf_token": token,
            **values,
            "board": str(competition.boards[0].id),
            "field": str(competition.fields[0].id),
            "stage": "idea",
            "video_url": "https://video.example/x?q=" + payload,
            "gallery_opt_in": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    entry = team.entry
    assert entry.title == stored(payload) and entry.summary == stored(payload)

    from contest.domain.attachments import add_attachment
    from contest.models import AttachmentKind

    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", pdf_bytes(), leader)
    add_attachment(entry, AttachmentKind.description, "mo-ta.pdf", pdf_bytes(), leader)
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    name_shown, title_shown = shown(team.name), shown(stored(payload))
    team_page = page(client, f"/teams/{team.id}")
    assert name_shown in team_page and shown(team.members[1].full_name) in team_page
    assert title_shown in page(client, f"/teams/{team.id}/entry")
    assert title_shown in page(client, f"/teams/{team.id}/entry/receipt")
    assert name_shown in page(client, "/my")

    # Anyone: the public gallery shows the opted-in entry.
    gallery = page(app.test_client(), f"/c/{slug}/gallery")
    assert title_shown in gallery and name_shown in gallery

    # The secretariat: list, search, the dossier (links included), then a reason the team reads.
    clerk = app.test_client()
    login(clerk, secretary_of(competition))
    listing = page(clerk, f"/manage/{slug}/entries/")
    assert name_shown in listing and title_shown in listing
    page(clerk, f"/manage/{slug}/entries/?q=" + payload[:20])
    dossier = page(clerk, f"/manage/{slug}/entries/{entry.id}")
    assert title_shown in dossier and name_shown in dossier and shown(entry.video_url) in dossier
    response = clerk.post(
        f"/manage/{slug}/entries/{entry.id}",
        data={
            "csrf_token": csrf_token(clerk, f"/manage/{slug}/entries/{entry.id}"),
            "validity": "invalid",
            "reason": payload,
        },
    )
    assert response.status_code == 302
    assert shown(payload.strip()) in page(client, f"/teams/{team.id}")

    # The receipt and the check's mail to the leader hold the text as typed, never HTML-escaped.
    from contest.models import OutboxMessage

    mails = {m.body_text for m in db.session.scalars(select(OutboxMessage))}
    assert len(mails) == 2 and all(stored(payload) in body for body in mails)
    assert not any("&lt;" in body or "&#" in body or "&amp;" in body for body in mails)
    no_nul_stored()


def test_signup_name_is_stored_as_typed_and_shown_escaped(client, db):
    for n, payload in enumerate(HOSTILE):
        response = post(
            client,
            "/signup",
            {"full_name": payload, "email": f"ke{n}@example.vn", "password": PASSWORD, "confirm": PASSWORD},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:1000]
        assert_inert(response.get_data(as_text=True), "/signup")
        user = db.session.scalar(select(User).where(User.email == f"ke{n}@example.vn"))
        assert user is not None and user.full_name == payload.strip()


@pytest.mark.parametrize(
    "value",
    [
        JS_LINK,
        " javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
    ],
)
def test_links_must_be_http(client, db, competition, leader, value):
    team = make_team(competition, leader)
    login(client, leader)
    response = autosave(client, team, {"video_url": value, "website_url": value})
    assert response.status_code == 200
    assert set(response.json["errors"]) == {"video_url", "website_url"}
    assert "http://" in response.json["errors"]["video_url"]
    response = post(client, f"/teams/{team.id}/entry", {"video_url": value, "website_url": value})
    assert response.status_code == 400
    db.session.expire_all()
    assert team.entry.video_url is None and team.entry.website_url is None


def test_a_hostile_link_that_starts_with_http_stays_inside_its_attribute(client, db, competition, leader):
    team = make_team(competition, leader)
    login(client, leader)
    url = 'https://x.example/"><script>alert(1)</script><a href="javascript:alert(1)'
    assert autosave(client, team, {"website_url": url}).json["errors"] == {}
    competition.submission_deadline = utcnow() - timedelta(minutes=1)  # read-only: the dossier shows the link
    db.session.commit()
    html = page(client, f"/teams/{team.id}/entry")
    assert f'href="{shown(url)}"' in html


# -- NUL bytes and over-long values -------------------------------------------------------


def _nul_cases(team, slug):
    """(method, path, form or JSON) for every text input of a team member."""
    return [
        ("form", "/account/", {"full_name": NUL, "phone": "", "locale": "vi"}),
        ("form", f"/c/{slug}/team/new", new_team_data(NUL, "Nguyễn Văn An")),
        ("form", f"/c/{slug}/team/new", new_team_data("Đội Sa Huỳnh", "Nguyễn Văn An", organisation=NUL)),
        ("form", f"/teams/{team.id}/members", {"member-full_name": NUL}),
        ("form", f"/teams/{team.id}/entry", {"title": NUL}),
        ("form", f"/teams/{team.id}/entry", {"summary": "Tóm tắt\x00"}),
        ("json", f"/teams/{team.id}/entry/autosave", {"title": NUL}),
        ("json", f"/teams/{team.id}/entry/autosave", {"summary": "x", "problem": NUL}),
        ("get", f"/manage/{slug}/entries/?q={NUL}", None),
        ("get", f"/c/{NUL}", None),
    ]


NUL_MESSAGE = "ký tự điều khiển vô hình (NUL)"


def test_nul_bytes_are_refused_with_a_message_in_vietnamese(client, app, db, competition, leader):
    team = make_team(competition, leader)
    login(client, leader)
    token = csrf_token(client, "/account/")
    for kind, path, data in _nul_cases(team, competition.slug):
        if kind == "form":
            prefix = "member-" if "member-full_name" in data else ""
            response = client.post(path, data={f"{prefix}csrf_token": token, **data})
        elif kind == "json":
            response = client.post(path, json=data, headers={"X-CSRFToken": token})
        else:
            response = client.get(path)
        assert response.status_code == 400, f"{path} {data}: {response.status_code}"
        if kind == "json":
            assert NUL_MESSAGE in response.json["message"]
        else:
            assert NUL_MESSAGE in response.get_data(as_text=True)
    # The JSON error reaches the autosave script, which shows `message` (static/js/entry-autosave.js).
    db.session.expire_all()
    assert [m.full_name for m in team.members] == [leader.full_name] and leader.full_name == "Nguyễn Văn An"
    assert team.entry is None or not team.entry.title
    no_nul_stored()

    # In a file name (not a field) it is cleaned, not refused.
    response = client.post(
        f"/teams/{team.id}/entry/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "kind": "pitch_deck", "file": (io.BytesIO(pdf_bytes()), "de\x00ck.pdf")},
    )
    assert response.status_code == 302
    no_nul_stored()


def test_signup_with_a_nul_byte_is_refused(client, db):
    response = post(
        client, "/signup", {"full_name": NUL, "email": "nul@example.vn", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None
    no_nul_stored()


def test_over_long_values_get_the_length_message(client, db, competition, leader):
    team = make_team(competition, leader)
    login(client, leader)
    token = csrf_token(client, "/account/")
    cases = [
        ("/account/", {"full_name": LONG, "phone": "", "locale": "vi"}, {"full_name": 120}),
        (
            f"/c/{competition.slug}/team/new",
            new_team_data(LONG, LONG),
            {"name": 150, "full_name": 120, "organisation": 200, "role_in_team": 120, "team_organisation": 200},
        ),
        (
            f"/teams/{team.id}/members",
            {"member-csrf_token": token, "member-full_name": LONG},
            {"member-full_name": 120},
        ),
        (
            f"/teams/{team.id}/entry",
            {k: LONG for k in ENTRY_TEXT},
            {"title": 250, "summary": 2000, "problem": 5000, "team_strengths": 3000},
        ),
    ]
    for path, data, limits in cases:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 400, path
        html = response.get_data(as_text=True)
        for field_id, limit in limits.items():
            errors = re.search(rf'<ul class="errors" id="{field_id}-err">(.*?)</ul>', html)
            assert errors and str(limit) in errors.group(1), f"{path} {field_id}: no length message"
        assert_inert(html, path)
    db.session.expire_all()
    assert len(team.members) == 1 and leader.full_name == "Nguyễn Văn An"

    # The autosave keeps what fits and says so, field by field, in Vietnamese.
    response = client.post(
        f"/teams/{team.id}/entry/autosave", json={k: LONG for k in ENTRY_TEXT}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.json["errors"]["title"] == "Tối đa 250 ký tự."
    assert set(response.json["errors"]) == set(ENTRY_TEXT)
    db.session.expire_all()
    assert team.entry.title == LONG[:250].strip()


def test_length_messages_are_in_vietnamese(client, db, competition, leader):
    login(client, leader)
    response = post(
        client, f"/c/{competition.slug}/team/new", new_team_data(LONG, "Nguyễn Văn An"), token_from="/account/"
    )
    page = response.get_data(as_text=True)
    assert "Field cannot be longer" not in page and "Trường này chỉ được dài tối đa 150 ký tự." in page


# -- spreadsheets: no formula ever runs ---------------------------------------------------


def _team_through_forms(client, token, competition, name: str, person: str, title: str):
    """A team, its leader's details, one more member and a submitted entry, all typed into the forms."""
    response = client.post(f"/c/{competition.slug}/team/new", data={"csrf_token": token, **new_team_data(name, person)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    team = _db.session.scalar(select(Team).where(Team.competition_id == competition.id, Team.name == name.strip()))
    response = client.post(
        f"/teams/{team.id}/members",
        data={
            "member-csrf_token": token,
            "member-full_name": person,
            "member-date_of_birth": "2000-01-02",
            "member-organisation": person,
            "member-role_in_team": person,
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/teams/{team.id}/entry/autosave",
        headers={"X-CSRFToken": token},
        json={
            "board": competition.boards[0].id,
            "field": competition.fields[0].id,
            "stage": "idea",
            "title": title,
            **{key: title for key in ENTRY_TEXT if key != "title"},
        },
    )
    assert response.status_code == 200 and response.json["errors"] == {}
    from contest.domain.attachments import add_attachment
    from contest.models import AttachmentKind

    entry = team.entry
    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", pdf_bytes(), team.leader)
    add_attachment(entry, AttachmentKind.description, "mo-ta.pdf", pdf_bytes(), team.leader)
    response = client.post(f"/teams/{team.id}/entry/submit", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return team


def test_secretariat_exports_hold_no_formula(client, app, db, competition):
    """Each leader types a formula as team name, own name, title; the secretariat exports."""
    for n, formula in enumerate([*FORMULAS, " =1+2", "\t=1+2", "\x01=1+2", LONG]):
        leader = make_user(f"doi{n}@example.vn")
        member_client = app.test_client()
        login(member_client, leader)
        token = csrf_token(member_client, "/account/")
        response = member_client.post(
            "/account/", data={"csrf_token": token, "full_name": formula[:120], "phone": "", "locale": "vi"}
        )
        assert response.status_code == 302
        team = _team_through_forms(
            member_client, token, competition, f"{formula[:140]} {n}", formula[:120], formula[:250]
        )
        db.session.expire_all()
        assert team.entry.code

    clerk = app.test_client()
    login(clerk, secretary_of(competition))
    page(clerk, f"/manage/{competition.slug}/entries/")

    response = clerk.get(f"/manage/{competition.slug}/entries/export.csv")
    assert response.status_code == 200
    cells = csv_cells(response.data)
    assert_no_formula_text(cells, "entries.csv")
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{formula!r} not exported as text"

    response = clerk.get(f"/manage/{competition.slug}/entries/export.xlsx")
    assert response.status_code == 200
    values = marked_texts(assert_no_formula_cells(response.data, "entries.xlsx"))
    for formula in FORMULAS:
        assert "'" + formula in values
    assert LONG[:250] in values  # the long title, cut to the form's limit, is there whole


def _published(app, db, names: list[str], titles: list[str]):
    """Like tests/judging/views/test_public_results._published, with the names given."""
    from contest.models import OrgUnitKind
    from tests.factories import announce_results, make_judge, make_unit, make_valid_entry

    unit = make_unit("U-HOSTILE", IMG, OrgUnitKind.department)
    competition = make_competition("hostile-results", unit=unit)
    competition.fields[0].name = REPORTLAB
    entries = []
    for name, title in zip(names, titles, strict=True):
        entry = make_valid_entry(competition, name=name)
        entry.title = title
        entries.append(entry)
    db.session.commit()
    judge = make_judge(competition, make_user(name=IMG), organisation=SCRIPT)
    return competition, announce_results(app, competition, entries, judge=judge)


def test_standings_and_yearly_report_hold_no_formula_and_print_markup_as_typed(client, app, db):
    names = [REPORTLAB, SCRIPT] + [f"{f} đội" if not f.startswith("=HYPER") else f for f in FORMULAS]
    titles = ["<b>Tỏi</b> & Lý Sơn", "=SUM(1)", *FORMULAS[::-1]]
    competition, round_ = _published(app, db, names, titles)
    admin = make_user(admin=True)
    login(client, admin)

    slug = competition.slug
    assert shown(REPORTLAB) in page(client, f"/c/{slug}/results")
    assert shown(REPORTLAB) in page(app.test_client(), f"/c/{slug}/results")  # the shared, cached copy
    # Organizer pages; the diagnostics and the dashboard embed SVG built in Python (|safe).
    page(client, f"/manage/{slug}/judging/publish")
    for path in (f"/manage/{slug}/judging/rounds/{round_.id}/results", f"/manage/{slug}/judging/awards"):
        html = page(client, path)
        assert any(shown(typed) in html for typed in (SCRIPT, REPORTLAB, "<b>Tỏi</b> & Lý Sơn")), path
    # The ceremony's slides travel as JSON in an attribute: they come back out as typed.
    ceremony = page(client, f"/manage/{slug}/judging/ceremony")
    slides = json.loads(html_unescape(re.search(r"data-slides='([^']*)'", ceremony).group(1)))
    assert REPORTLAB in json.dumps(slides, ensure_ascii=False)
    assert shown(IMG) in page(client, f"/manage/{slug}/judging/rounds/{round_.id}/diagnostics")
    assert shown(IMG) in page(client, "/reports/")
    response = client.get(f"/manage/{slug}/judging/rounds/{round_.id}/record.pdf")
    assert response.status_code == 200
    assert "".join(REPORTLAB.split()) in "".join(pdf_text(response.data).split())
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/manage/{competition.slug}/judging/rounds/{round_.id}/standings.{fmt}")
        assert response.status_code == 200, f"standings.{fmt}: {response.status_code}"
        if fmt == "csv":
            cells = csv_cells(response.data)
            assert_no_formula_text(cells, "standings.csv")
        else:
            cells = marked_texts(assert_no_formula_cells(response.data, "standings.xlsx"))
        assert "'=1+2 đội" in cells and "'=SUM(1)" in cells and REPORTLAB in cells
        response = client.get(f"/manage/{slug}/judging/rounds/{round_.id}/score-sheets.{fmt}")
        assert response.status_code == 200, f"score-sheets.{fmt}: {response.status_code}"
        if fmt == "csv":
            assert IMG in csv_cells(response.data)  # the judge's name
        else:
            assert IMG in [c.value for c in assert_no_formula_cells(response.data, "score-sheets.xlsx")]

    response = client.get("/reports/yearly/2026.xlsx")
    assert response.status_code == 200
    values = {c.value for c in assert_no_formula_cells(response.data, "yearly.xlsx")}
    assert {REPORTLAB, "<b>Tỏi</b> & Lý Sơn", "=SUM(1)"} <= values  # text cells (quotePrefix), as typed

    response = client.get("/reports/yearly/2026.pdf")
    assert response.status_code == 200
    printed = "".join(pdf_text(response.data).split())
    for typed in (REPORTLAB, "<b>Tỏi</b> & Lý Sơn", SCRIPT):
        assert "".join(typed.split()) in printed, f"{typed!r} not printed as typed"


# -- PDFs: certificates print names as typed -----------------------------------------------


def test_certificates_print_hostile_member_names_as_typed(client, app, db, competition, leader):
    from contest.domain import certificates
    from contest.models import CertificateKind, EntryValidity

    login(client, leader)
    token = csrf_token(client, "/account/")
    team_name, title = "Đội <b>Tỏi</b> & <font color=red>Lý Sơn</font>", "<b>Tỏi đen</b> & <i>Lý Sơn</i>"
    team = _team_through_forms(client, token, competition, team_name, REPORTLAB, title)
    for name in (RTL, NFD, LONG[:120]):
        response = client.post(f"/teams/{team.id}/members", data={"member-csrf_token": token, "member-full_name": name})
        assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    team.entry.validity = EntryValidity.valid
    db.session.commit()
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        issued = certificates.issue(
            templates[CertificateKind.participation],
            certificates.participation_recipients(competition),
            date(2026, 12, 20),
        )
    db.session.commit()
    by_name = {c.person_name: c for c in issued}
    assert set(by_name) == {REPORTLAB, RTL, NFD, LONG[:120]}

    def printed(name):
        response = client.get(f"/teams/{team.id}/certificates/{by_name[name].id}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        return " ".join(pdf_text(response.data).split())

    markup = printed(REPORTLAB)
    assert REPORTLAB in markup and team_name in markup and title in markup
    assert "Nguyễn Văn An" in printed(NFD)  # NFD typed, NFC printed: the font has only precomposed letters
    # The override character is dropped (it prints nothing, or reverses the line); the rest as typed.
    assert "RTL override gpj.exe" in printed(RTL)
    assert "Nguyễn Nguyễn" in printed(LONG[:120])


# -- mails: as typed, and no header from a name ------------------------------------------


@pytest.mark.parametrize(
    "team_name",
    [
        SCRIPT,
        REPORTLAB,
        "=1+2",
        RTL,
        NFD,
        "Đội\r\nBcc: x@evil.example",
        "Đội\rBcc: x@evil.example",
        "Đội\nBcc: x@evil.example",
        "Đội\u2028Bcc: x@evil.example",
        "Đội\x0bBcc: x@evil.example",
    ],
    ids=lambda p: repr(p)[:24],
)
def test_invitation_mail_shows_names_as_typed_and_adds_no_header(
    client, mail_app, db, smtp_server, competition, leader, team_name
):
    from contest.domain.outbox import send_due

    login(client, leader)
    token = csrf_token(client, "/account/")
    assert (
        client.post("/account/", data={"csrf_token": token, "full_name": IMG, "phone": "", "locale": "vi"}).status_code
        == 302
    )
    response = client.post(
        f"/c/{competition.slug}/team/new", data={"csrf_token": token, **new_team_data(team_name, IMG)}
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    response = client.post(
        f"/teams/{team.id}/invite", data={"invite-csrf_token": token, "invite-email": "moi@example.vn"}
    )
    assert response.status_code == 302

    assert send_due().sent == 1, "the invitation was not delivered"
    [message] = smtp_server.wait_for(1)
    assert [str(a) for a in message.get_all("To")] == ["moi@example.vn"]
    for header in ("Bcc", "Cc", "Reply-To"):
        assert message[header] is None, f"{header} header added by the team name"
    assert {key.lower() for key in message.keys()} <= {
        "content-type",
        "mime-version",
        "content-transfer-encoding",
        "subject",
        "from",
        "to",
        "date",
        "message-id",
    }
    assert not any("evil" in str(value) for key, value in message.items() if key != "Subject")
    subject = str(message["Subject"])
    assert subject.startswith("Lời mời tham gia đội Đội" if team_name.startswith("Đội") else "Lời mời tham gia đội")
    assert not re.search(r"[\r\n\x0b\x0c\u2028\u2029]", subject)

    body = message.get_body(preferencelist=("plain",)).get_content()
    flat = " ".join(body.split())
    assert f"{IMG} mời bạn tham gia đội {' '.join(team.name.split())}" in flat  # as typed, no &lt; or &#34;
    assert "&lt;" not in body and "&#" not in body and "&amp;" not in body
    if "\n" not in team_name and "\r" not in team_name:
        assert team.name in body


# -- the expert network's forms ---------------------------------------------------------------

HUGE = "9" * 40  # a number no column holds


def _refused_with_a_message(response, where: str, field_id: str | None = None) -> str:
    """A 4xx whose page says what is wrong (beside the field when one is named)."""
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
    if field_id:
        assert re.search(rf'<ul class="errors" id="{field_id}-err">\s*<li>[^<]+', html), f"{where}: no message"
    else:
        assert 'class="errors"' in html or "alert--error" in html or NUL_MESSAGE in html, f"{where}: no message"
    assert_inert(html, where)
    return html


def test_the_expert_registry_refuses_hostile_input_with_a_message_and_loses_nothing(app, client, db):
    from contest.domain import experts
    from contest.models import Certification, DeclaredConflict, Expert, MentoringSession

    competition = make_competition()
    from tests.factories import make_valid_entry

    entry = make_valid_entry(competition)
    officer = make_user("can-bo@example.vn", admin=True)
    user = make_user("chuyen-gia@example.vn", name="Lê Thị Vững")
    with app.test_request_context():
        expert = experts.create_expert(
            experts.ExpertInput(full_name="Lê Thị Vững", organisation="Sở KH&CN", fields=("Nông nghiệp",)),
            by=None,
            user=user,
        )
        experts.add_certification(
            expert, experts.CertificationInput("Cố vấn ĐMST", "Bộ KH&CN", "CV-1", date(2024, 1, 1)), by=None
        )
        conflict = experts.declare_conflict(expert, experts.ConflictKind.company, "Công ty A", on=date(2025, 1, 1))
        mentorship = experts.assign_mentor(expert, entry.project, starts_on=date(2025, 1, 1), by=None)
        experts.log_session(mentorship, held_on=date(2025, 2, 1), topic="Gọi vốn", hours="2", by=None)
        _db.session.commit()
        expert_id, certification_id, mentorship_id = expert.id, expert.certifications[0].id, mentorship.id
        conflict_id = conflict.id

    login(client, officer)
    token = csrf_token(client, f"/registry/{expert_id}")
    record = f"/registry/{expert_id}"
    kept = {"full_name": "Lê Thị Vững", "organisation": "Sở KH&CN", "org_unit": "0", "roles": ["judge"]}
    cert = {"cert-programme": "Cố vấn", "cert-issuer": "Bộ KH&CN", "cert-issued_on": "2024-05-01"}
    conflict_data = {"conflict-kind": "company", "conflict-name": "Công ty B"}
    session_data = {"held_on": "2025-03-01", "topic": "Thị trường", "hours": "1,5"}
    mentor_data = {"mentor-project": str(entry.project.id), "mentor-starts_on": "2025-06-01", "mentor-org_unit": "0"}
    cases = [
        # The expert record: very long texts, control characters, a unit no table holds.
        ("/registry/new", {"full_name": LONG}, "full_name"),
        (record, {**kept, "full_name": LONG}, "full_name"),
        (record, {**kept, "organisation": LONG}, "organisation"),
        (record, {**kept, "phone": LONG}, "phone"),
        (record, {**kept, "fields": LONG}, "fields"),
        (record, {**kept, "bio": LONG}, "bio"),
        (record, {**kept, "org_unit": HUGE}, "org_unit"),
        (record, {**kept, "roles": ["judge", "<script>"]}, "roles"),
        (record, {**kept, "full_name": NUL}, None),
        (record, {**kept, "email": "x\x00@example.vn"}, None),
        # Certifications: long texts, impossible and unparsable dates.
        (f"{record}/certifications", {**cert, "cert-programme": LONG}, "cert-programme"),
        (f"{record}/certifications", {**cert, "cert-number": LONG}, "cert-number"),
        (f"{record}/certifications", {**cert, "cert-issued_on": "2024-13-45"}, "cert-issued_on"),
        (f"{record}/certifications", {**cert, "cert-issued_on": "99999-01-01"}, "cert-issued_on"),
        (f"{record}/certifications", {**cert, "cert-issued_on": HUGE}, "cert-issued_on"),
        (f"{record}/certifications", {**cert, "cert-expires_on": "31/02/2024"}, "cert-expires_on"),
        (f"{record}/certifications", {**cert, "cert-expires_on": "2020-01-01"}, "cert-expires_on"),
        (f"{record}/certifications", {**cert, "cert-issuer": "Bộ\x00"}, None),
        (f"/registry/certifications/{certification_id}/remove", {"remove-reason": LONG}, None),
        (f"/registry/certifications/{certification_id}/remove", {"remove-reason": NUL}, None),
        # Declared conflicts, by the officer.
        (f"{record}/conflicts", {**conflict_data, "conflict-name": LONG}, "conflict-name"),
        (
            f"{record}/conflicts",
            {**conflict_data, "conflict-registration_number": LONG},
            "conflict-registration_number",
        ),
        (f"{record}/conflicts", {**conflict_data, "conflict-kind": "<script>"}, "conflict-kind"),
        (f"{record}/conflicts", {**conflict_data, "conflict-name": "x\x00y"}, None),
        # Mentoring: a project no table holds, bad dates; sessions with numbers that are not hours.
        (f"{record}/mentorships", {**mentor_data, "mentor-project": HUGE}, "mentor-project"),
        (f"{record}/mentorships", {**mentor_data, "mentor-starts_on": "2025-02-30"}, "mentor-starts_on"),
        (f"{record}/mentorships", {**mentor_data, "mentor-ends_on": "2024-01-01"}, "mentor-ends_on"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": "NaN"}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": "Infinity"}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": "1e400"}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": "1e5"}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": HUGE}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "hours": "-2"}, "hours"),
        (f"/mentorships/{mentorship_id}", {**session_data, "topic": LONG}, "topic"),
        (f"/mentorships/{mentorship_id}", {**session_data, "held_on": "0000-01-01"}, "held_on"),
        (f"/mentorships/{mentorship_id}", {**session_data, "held_on": "2025-01-01T00:00"}, "held_on"),
        (f"/mentorships/{mentorship_id}", {**session_data, "topic": "a\x00"}, None),
    ]
    for path, data, field_id in cases:
        response = client.post(path, data={"csrf_token": token, **data})
        _refused_with_a_message(response, f"{path} {str(data)[:80]}", field_id)

    # The expert's own forms: the record, consent and a conflict declaration.
    mine = app.test_client()
    login(mine, user)
    token = csrf_token(mine, "/experts/me")
    own = [
        ("/experts/me", {"full_name": LONG}, "full_name"),
        ("/experts/me", {"full_name": "Lê Thị Vững", "bio": LONG}, "bio"),
        ("/experts/me", {"full_name": "Lê\x00"}, None),
        ("/experts/me/conflicts", {**conflict_data, "conflict-name": LONG}, "conflict-name"),
        ("/experts/me/conflicts", {**conflict_data, "conflict-detail": LONG}, "conflict-detail"),
        ("/experts/me/conflicts", {**conflict_data, "conflict-name": NUL}, None),
    ]
    for path, data, field_id in own:
        response = mine.post(path, data={"csrf_token": token, **data})
        _refused_with_a_message(response, f"{path} {str(data)[:80]}", field_id)
    # A choice nobody offered is refused with a message, the consent unchanged.
    response = mine.post(
        "/experts/me/consent",
        data={"csrf_token": token, "consent-consent": "y", "consent-public_fields": ["phone", "email"]},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Chỉ chọn trong các mục được đưa ra." in response.get_data(as_text=True)

    # Panel search (the registry's and the organizer's): long or odd queries find nothing, never a 500.
    for query in (f"q={LONG}", f"unit={HUGE}", "unit=-1", "role=%3Cscript%3E", f"field={LONG}", "q=%25_%5C"):
        for path in ("/registry/", f"/manage/{competition.slug}/judging/pool", "/experts/"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200, f"{path}?{query[:40]}: {response.status_code}"
            assert_inert(response.get_data(as_text=True), path)
    for path in ("/registry/", f"/manage/{competition.slug}/judging/pool", "/experts/"):
        response = client.get(f"{path}?q={NUL}")
        assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True), path

    # Nothing saved was lost or changed, and no NUL reached a table.
    _db.session.expire_all()
    expert = _db.session.get(Expert, expert_id)
    assert (expert.full_name, expert.organisation, expert.field_names, expert.bio) == (
        "Lê Thị Vững",
        "Sở KH&CN",
        ["Nông nghiệp"],
        "",
    )
    assert expert.consent_public is False
    assert [(c.id, c.programme, c.issued_on) for c in expert.certifications] == [
        (certification_id, "Cố vấn ĐMST", date(2024, 1, 1))
    ]
    assert [(c.id, c.name, c.ended_on) for c in _db.session.scalars(select(DeclaredConflict))] == [
        (conflict_id, "Công ty A", None)
    ]
    assert [(s.topic, str(s.hours)) for s in _db.session.scalars(select(MentoringSession))] == [("Gọi vốn", "2.0")]
    assert len(_db.session.scalars(select(Certification)).all()) == 1
    no_nul_stored()
