"""Hostile strings typed by judges and organizers, and in imported score files.

The team side is tests/test_hostile_strings.py; its corpus and checks are reused
here for the other hands that type text: a judge (profile, conflict reason,
score comment, amendment reason through the scoring API), an organizer (names
of the competition, rubric, criteria, round, award tiers and special prizes)
and the secretariat's paper-score CSV (`flask scores import`). Everything goes
in through the real forms and API with CSRF, and must come out escaped in HTML,
as typed in JSON and PDFs, never as a formula in CSV or XLSX; a NUL gets a 400
with a message, an over-long value a message with its limit, never a 500.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from html import unescape as html_unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from contest.domain.competitions import find_by_slug, grant_role
from contest.domain.exports import safe_cell
from contest.extensions import db as _db
from contest.models import (
    AuditEvent,
    CompetitionRoleKind,
    CompetitionState,
    OrgUnitKind,
    OutboxMessage,
)
from contest.models.base import utcnow
from judging.domain import publication
from judging.domain.judges import accept_invite
from judging.domain.rubrics import PROVINCIAL_100, update_rubric
from judging.models import AwardTier, Conflict, Judge, Round, RoundState, Rubric, Score, ScoreSheet
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_unit,
    make_user,
    make_valid_entry,
)
from tests.test_hostile_strings import (
    FORMULAS,
    HTML_PAYLOADS,
    IMG,
    LONG,
    NFD,
    NUL,
    NUL_MESSAGE,
    REPORTLAB,
    RTL,
    SCRIPT,
    TEMPLATE,
    assert_inert,
    assert_no_formula_cells,
    assert_no_formula_text,
    csv_cells,
    marked_texts,
    no_nul_stored,
    page,
    pdf_text,
    shown,
)

IDS = {"ids": lambda p: repr(p)[:24]}


# -- helpers ----------------------------------------------------------------------------


def _as(app, user):
    """A client logged in through the form, carrying its session's CSRF token."""
    client = app.test_client()
    login(client, user)
    client.token = csrf_token(client, "/account/")
    return client


def _post(client, path: str, prefix: str = "", **data):
    return client.post(path, data={f"{prefix}csrf_token": client.token, **data})


def _organizer(competition):
    user = make_user(name="Ban tổ chức")
    grant_role(competition, user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    _db.session.commit()
    return user


def _change(client, round_id: int, entry_id: int, **body):
    """One change as the tablet sends it: JSON, an idempotency key, the token in X-CSRFToken."""
    return client.post(
        f"/api/rounds/{round_id}/sheets/{entry_id}/changes",
        json={"key": uuid.uuid4().hex, **body},
        headers={"X-CSRFToken": client.token},
    )


def _score(client, round_: Round, entry, comment: str | None = None, values: dict | None = None) -> None:
    """Every criterion at its maximum unless `values` (by position) says otherwise, the comment, the sign-off."""
    for n, c in enumerate(round_.rubric.criteria):
        value = (values or {}).get(n, str(c.max_points))
        response = _change(client, round_.id, entry.id, criterion_id=c.id, value=value)
        assert response.json == {"outcome": "applied"}, response.json
    if comment is not None:
        response = _change(client, round_.id, entry.id, comment=comment)
        assert response.json == {"outcome": "applied"}, response.json
    response = client.post(
        f"/api/rounds/{round_.id}/sheets/{entry.id}/submit", json={}, headers={"X-CSRFToken": client.token}
    )
    assert response.status_code == 200, response.json


def _announce(
    app, boss, competition, round_, *, before=({"action": "defaults"},), after=(), feedback: bool = True
) -> None:
    """Lock, freeze, award (forms posted `before` and `after` the proposal) and publish
    (five minutes ago), all through the organizer's forms."""
    base = f"/manage/{competition.slug}/judging"
    for path, data in [
        (f"/rounds/{round_.id}/lock", {"reason": ""}),
        (f"/rounds/{round_.id}/results/freeze", {}),
        *[("/awards", form) for form in (*before, {"action": "propose"}, *after)],
    ]:
        assert _post(boss, base + path, **data).status_code == 302, path
    when = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])) - timedelta(minutes=5)
    form = {"publish_at": when.strftime("%Y-%m-%dT%H:%M"), **({"feedback": "1"} if feedback else {})}
    assert _post(boss, base + "/publish", **form).status_code == 302
    _db.session.expire_all()
    assert publication.current_publication_row(competition) is not None, "the results were not published"


def _export(client, path: str, where: str) -> list:
    """The CSV and the XLSX of one export: no formula in either; the cells of both."""
    cells = []
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{path}.{fmt}")
        assert response.status_code == 200, f"{where}.{fmt}: {response.status_code}"
        if fmt == "csv":
            cells += csv_cells(response.data)
            assert_no_formula_text(cells, f"{where}.csv")
        else:
            cells += marked_texts(assert_no_formula_cells(response.data, f"{where}.xlsx"))
    return cells


def _typed_in_pdf(typed: str, data: bytes, where: str, times: int = 1) -> None:
    """Printed as typed: NFC (the fonts have precomposed letters), the invisible override dropped."""
    assert data.startswith(b"%PDF"), where
    expected = "".join(unicodedata.normalize("NFC", typed.replace("\u202e", "")).split())
    assert "".join(pdf_text(data).split()).count(expected) >= times, f"{typed!r} not printed as typed in {where}"


def _json_attribute(html: str, name: str):
    """Data the page's script reads from an attribute, decoded as the browser would."""
    return json.loads(html_unescape(re.search(rf"{name}='([^']*)'", html).group(1)))


# -- judge side: what a judge types, as organizers and teams see it ---------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS, **IDS)
def test_judge_text_is_shown_escaped_to_organizers_and_teams(app, db, payload):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    boss = _as(app, _organizer(competition))
    base = f"/manage/{competition.slug}/judging"

    # The organizer invites a judge who has an account and one who has none, through the form.
    judge_user = make_user(name="Giám khảo Trần Minh")
    for email, name in ((judge_user.email, ""), ("moi@example.vn", payload)):
        response = _post(
            boss,
            base + "/judges",
            email=email,
            full_name=name,
            organisation=payload,
            fields=str(competition.fields[0].id),
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    judge = db.session.scalar(select(Judge).where(Judge.user_id == judge_user.id))
    assert judge.organisation == payload
    accept_invite(judge)
    round_ = make_round(competition, entries, [judge])

    # The judge types the payload as own name, then scores two entries with it as comment, amends
    # one with it as reason, and declares a conflict with the third giving it as reason.
    tablet = _as(app, judge_user)
    assert _post(tablet, "/account/", full_name=payload, phone="", locale="vi").status_code == 302
    first = round_.rubric.criteria[0]
    for entry in entries[:2]:
        _score(tablet, round_, entry, comment=payload)
    response = _change(tablet, round_.id, entries[0].id, criterion_id=first.id, value="10", reason=payload)
    assert response.json == {"outcome": "applied"}, response.json
    response = _post(tablet, f"/judge/rounds/{round_.id}/entries/{entries[2].id}/conflict", reason=payload)
    assert response.status_code == 302
    assert db.session.scalar(select(Conflict.reason)) == payload

    # The tablet page carries the comment to its script as JSON: back out as typed.
    scoring = page(tablet, f"/judge/rounds/{round_.id}/entries/{entries[0].id}")
    assert _json_attribute(scoring, "data-sheet")["state"]["comment"] == payload
    page(tablet, f"/judge/rounds/{round_.id}")

    # Organizers: names, both organisations and the conflict's reason; the board, the results
    # (each judge's total) and the diagnostics' picture (SVG built in Python) name the judge.
    assert page(boss, base + "/judges").count(shown(payload)) >= 5
    assert shown(payload) in page(boss, f"{base}/rounds/{round_.id}")
    assert f"{shown(payload)}: 100,0" in page(boss, f"{base}/rounds/{round_.id}/results")
    assert payload in html_unescape(page(boss, f"{base}/rounds/{round_.id}/diagnostics"))
    cells = _export(boss, f"{base}/rounds/{round_.id}/score-sheets", "score-sheets")
    # Each score row names the judge and carries the comment, in both files.
    assert cells.count(safe_cell(payload)) == 2 * 2 * len(round_.rubric.criteria) * 2

    # The platform's audit log: the amendment's and the conflict's reasons, the comments in JSON.
    audit = page(_as(app, make_user(admin=True)), "/admin/audit")
    assert audit.count(shown(payload)) >= 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.reason == payload)) == 2

    # Published with feedback: the team reads the comment, escaped.
    _announce(app, boss, competition, round_)
    team = entries[0].team
    feedback = page(_as(app, team.leader), f"/teams/{team.id}/feedback")
    assert f'<blockquote class="comment">{shown(payload)}</blockquote>' in feedback
    no_nul_stored()


def test_judge_and_organizer_text_in_exports_is_never_a_formula(app, db):
    """Judge names and comments, criterion names, the tie-break label: all formulas, all text."""
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in FORMULAS]
    boss = _as(app, _organizer(competition))
    typed = [*FORMULAS, " =1+2", "\t=1+2"]  # one judge each: as name (the account's form) and comment
    judges = []
    for n, formula in enumerate(typed):
        user = make_user(name=f"Giám khảo {n}")
        assert _post(_as(app, user), "/account/", full_name=formula, phone="", locale="vi").status_code == 302
        judges.append(make_judge(competition, user))
    round_ = make_round(competition, entries, judges, name="=1+2")
    rubric = db.session.get(Rubric, round_.rubric_id)
    specs = [
        replace(spec, name=FORMULAS[i] if i < len(FORMULAS) else spec.name) for i, spec in enumerate(PROVINCIAL_100)
    ]
    update_rubric(rubric, specs)
    db.session.commit()
    for n, judge in enumerate(judges):
        tablet = _as(app, judge.user)
        # The first two entries tie on the total; the first criterion (named "=1+2") splits them.
        for entry, values in zip(entries, [{1: "15"}, {0: "15"}, *[{}] * len(entries)], strict=False):
            _score(tablet, round_, entry, comment=typed[n], values=values)

    base = f"/manage/{competition.slug}/judging/rounds/{round_.id}"
    page(boss, base)
    assert _post(boss, base + "/lock", reason="").status_code == 302
    assert (
        _post(
            boss,
            base + "/results/method",
            method="mean",
            min_scores="1",
            tie_break_criterion=str(rubric.criteria[0].id),
        ).status_code
        == 302
    )
    sheets = _export(boss, base + "/score-sheets", "score-sheets")
    for formula in FORMULAS:
        assert "'" + formula in sheets, f"{formula!r} (judge, criterion, comment) not exported as text"
    assert "' =1+2" in sheets and "'\t=1+2" in sheets
    standings = _export(boss, base + "/standings", "standings")
    assert "'=1+2" in standings, "the tie-break's label (a criterion's name) is not text"


# -- NUL and over-long values on the judging side ---------------------------------------


@pytest.fixture
def judging_world(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    return {
        "competition": competition,
        "entries": entries,
        "judge": judge,
        "round": round_,
        "boss": _as(app, _organizer(competition)),
        "tablet": _as(app, judge.user),
    }


def _nul_cases(w):
    base = f"/manage/{w['competition'].slug}/judging"
    r, e, c = w["round"].id, w["entries"][0].id, w["round"].rubric.criteria[0].id
    return [
        ("boss", base + "/judges", {"email": "moi@example.vn", "full_name": NUL}),
        ("boss", base + "/judges", {"email": "moi@example.vn", "full_name": "Lê Hoa", "organisation": NUL}),
        ("boss", base + "/rubrics", {"rubric-preset": "provincial_100", "rubric-name": NUL}),
        (
            "boss",
            base + "/rounds",
            {
                "round-name": NUL,
                "round-mode": "dossier",
                "round-entry_source": "all_valid",
                "round-rubric": str(w["round"].rubric_id),
                "round-judges_per_entry": "1",
            },
        ),
        ("boss", base + "/awards", {"action": "tier", "name": NUL, "count": "1"}),
        ("boss", f"{base}/rounds/{r}/lock", {"reason": NUL}),
        ("boss", f"{base}/rounds/{r}/results/chair-order", {"codes": "x", "reason": NUL}),
        ("boss", base + "/publish", {"publish_at": "2026-12-20T09:00", "reason": NUL}),
        ("tablet", f"/judge/rounds/{r}/entries/{e}/conflict", {"reason": NUL}),
        ("api", f"/api/rounds/{r}/sheets/{e}/changes", {"key": "k1", "comment": NUL}),
        ("api", f"/api/rounds/{r}/sheets/{e}/changes", {"key": "k2", "criterion_id": c, "value": "1", "reason": NUL}),
        ("api", f"/api/rounds/{r}/sheets/{e}/changes", {"key": NUL, "criterion_id": c, "value": "1"}),
        ("api", f"/api/rounds/{r}/sheets/{e}/changes", {"key": "k3", "criterion_id": c, "value": "1\x00"}),
        ("api", f"/api/rounds/{r}/sheets/{e}/submit", {"reason": NUL}),
    ]


def test_nul_bytes_get_a_400_with_a_message(judging_world, db):
    w = judging_world
    for who, path, data in _nul_cases(w):
        if who == "api":
            response = w["tablet"].post(path, json=data, headers={"X-CSRFToken": w["tablet"].token})
            assert response.status_code == 400 and NUL_MESSAGE in response.json["message"], (path, data)
        else:
            token = w[who].token
            response = w[who].post(
                path, data={"csrf_token": token, "rubric-csrf_token": token, "round-csrf_token": token, **data}
            )
            assert response.status_code == 400, (path, data, response.status_code)
            html = response.get_data(as_text=True)
            assert NUL_MESSAGE in html, (path, data)
            assert_inert(html, path)
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 0
    assert db.session.scalar(select(func.count()).select_from(Judge)) == 1
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1
    no_nul_stored()


def _errors_of(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field_id}-err">(.*?)</ul>', html)
    assert match, f"no error under {field_id}"
    return match.group(1)


def test_over_long_values_get_a_message_with_the_limit(judging_world, db):
    w = judging_world
    boss, tablet = w["boss"], w["tablet"]
    base = f"/manage/{w['competition'].slug}/judging"
    r, entry = w["round"], w["entries"][0]

    response = _post(boss, base + "/judges", email="moi@example.vn", full_name=LONG, organisation=LONG)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "120" in _errors_of(html, "full_name") and "200" in _errors_of(html, "organisation")
    response = _post(
        boss, base + "/rubrics", prefix="rubric-", **{"rubric-preset": "provincial_100", "rubric-name": LONG}
    )
    assert response.status_code == 400 and "200" in _errors_of(response.get_data(as_text=True), "rubric-name")
    response = _post(
        boss,
        base + "/rounds",
        prefix="round-",
        **{
            "round-name": LONG,
            "round-mode": "dossier",
            "round-entry_source": "all_valid",
            "round-rubric": str(r.rubric_id),
            "round-judges_per_entry": "1",
        },
    )
    assert response.status_code == 400 and "120" in _errors_of(response.get_data(as_text=True), "round-name")

    # An award tier's name is typed in a plain form: it gets a message, not a 500 from the database.
    response = boss.post(
        base + "/awards",
        data={"csrf_token": boss.token, "action": "tier", "name": LONG, "count": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "120" in re.search(
        r'class="alert alert--error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S
    ).group(1)
    assert db.session.scalar(select(func.count()).select_from(AwardTier)) == 0

    # The judge: a conflict's reason and a comment say their limits; a long amendment reason is cut.
    response = tablet.post(
        f"/judge/rounds/{r.id}/entries/{entry.id}/conflict",
        data={"csrf_token": tablet.token, "reason": LONG},
        follow_redirects=True,
    )
    assert "500" in re.search(
        r'class="alert alert--error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S
    ).group(1)
    assert db.session.scalar(select(func.count()).select_from(Conflict)) == 0
    response = _change(tablet, r.id, entry.id, comment=LONG)
    assert response.status_code == 422 and "4000" in response.json["message"]
    _score(tablet, r, entry)
    response = _change(tablet, r.id, entry.id, criterion_id=r.rubric.criteria[0].id, value="1", reason=LONG)
    assert response.json == {"outcome": "applied"}
    assert db.session.scalar(select(AuditEvent.reason).where(AuditEvent.reason.is_not(None))) == LONG[:500].strip()

    admin = _as(boss.application, make_user(admin=True))
    unit = make_unit("U-DAI", "Sở", OrgUnitKind.department)
    response = _post(
        admin, "/manage/new", name=LONG, year="2026", slug="ten-dai", org_unit=str(unit.id), preset="provincial"
    )
    assert response.status_code == 400 and "250" in _errors_of(response.get_data(as_text=True), "name")


# -- organizer side: names, as judges, the public and certificates see them -------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS, **IDS)
def test_organizer_names_reach_judges_the_public_and_certificates_as_typed(app, db, payload):
    from contest.domain import certificates
    from contest.models import CertificateKind

    admin = make_user(admin=True)
    boss = _as(app, admin)
    unit = make_unit("U-TEN", "Sở Khoa học và Công nghệ", OrgUnitKind.department)
    response = _post(
        boss, "/manage/new", name=payload, year="2026", slug="ten-doc-hai", org_unit=str(unit.id), preset="provincial"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    competition = find_by_slug("ten-doc-hai")
    assert competition.name == payload
    competition.state, competition.submission_deadline = CompetitionState.open, utcnow() + timedelta(days=30)
    db.session.commit()
    entries = [make_valid_entry(competition) for _ in range(2)]
    slug, base = competition.slug, f"/manage/{competition.slug}/judging"

    judge_user = make_user(name="Giám khảo Trần Minh")
    assert _post(boss, base + "/judges", email=judge_user.email, full_name="", organisation="").status_code == 302
    invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == judge_user.email))
    assert payload in invitation.body_text and "&lt;" not in invitation.body_text and "&#" not in invitation.body_text
    accept_invite(db.session.scalar(select(Judge)))

    # Rubric and round through the forms; the criterion's texts through the domain (no form edits them yet).
    assert (
        _post(
            boss, base + "/rubrics", prefix="rubric-", **{"rubric-preset": "provincial_100", "rubric-name": payload}
        ).status_code
        == 302
    )
    rubric = db.session.scalar(select(Rubric))
    update_rubric(
        rubric,
        [
            replace(PROVINCIAL_100[0], name=payload, description=payload, descriptors=((5, payload),)),
            *PROVINCIAL_100[1:],
        ],
    )
    db.session.commit()
    response = _post(
        boss,
        base + "/rounds",
        prefix="round-",
        **{
            "round-name": payload,
            "round-mode": "dossier",
            "round-entry_source": "all_valid",
            "round-rubric": str(rubric.id),
            "round-judges_per_entry": "1",
            "round-presentation_minutes": "7",
            "round-questions_minutes": "10",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    round_ = db.session.scalar(select(Round))
    assert round_.name == payload and rubric.name == payload
    for action in ("entries", "assign", "open"):
        assert _post(boss, f"{base}/rounds/{round_.id}/{action}").status_code == 302
    db.session.expire_all()
    assert round_.state is RoundState.open

    # The judge's tablet: names in the rubric escaped; the paper sheet prints them as typed.
    tablet = _as(app, judge_user)
    assert shown(payload) in page(tablet, "/judge/")
    assert page(tablet, f"/judge/rounds/{round_.id}").count(shown(payload)) >= 2
    scoring = page(tablet, f"/judge/rounds/{round_.id}/entries/{entries[0].id}")
    for html in (
        f'<span class="criterion__name">{shown(payload)}</span>',
        f'<p class="hint">{shown(payload)}</p>',
        f"<strong>5</strong>: {shown(payload)}</li>",
    ):
        assert html in scoring
    sheet = tablet.get(f"/judge/rounds/{round_.id}/sheet.pdf")
    assert sheet.status_code == 200
    _typed_in_pdf(payload, sheet.data, "the paper score sheet", times=2)  # competition and round
    for entry in entries:
        _score(tablet, round_, entry)

    # Organizer pages, then awards: a tier and a sponsor's special prize named with the payload.
    for path in ("/", f"/rounds/{round_.id}", f"/rounds/{round_.id}/diagnostics"):
        assert shown(payload) in page(boss, base + path), path
    for tier in (
        {"name": payload, "count": "2", "prize": "50000000"},
        {"name": f"Giải tài trợ {payload}", "count": "1", "special": "1"},
    ):
        assert _post(boss, base + "/awards", action="tier", **tier).status_code == 302
    special = db.session.scalar(select(AwardTier).where(AwardTier.special.is_(True)))
    _announce(
        app,
        boss,
        competition,
        round_,
        before=(),
        feedback=False,
        after=[{"action": "give", "tier": str(special.id), "code": entries[1].code, "reason": payload}],
    )
    for path in (f"/rounds/{round_.id}/results", "/awards", "/publish"):
        assert shown(payload) in page(boss, base + path), path
    slides = _json_attribute(page(boss, base + "/ceremony"), "data-slides")
    assert {s["award"] for s in slides} == {payload}

    # The public: the page escaped (shared and logged-in copies), the JSON as typed.
    for client in (app.test_client(), tablet):
        assert page(client, f"/c/{slug}/results").count(shown(payload)) >= 4
    content = app.test_client().get(f"/c/{slug}/results.json").json
    assert content["competition"] == content["round"] == payload
    rows = [row for board in content["boards"] for row in board["rows"]]
    assert [row["award"] for row in rows] == [payload, payload]
    assert [s for row in rows for s in row["special"]] == [f"Giải tài trợ {payload}"]

    # The award certificate prints the award and the competition as typed, no markup read.
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        issued = certificates.issue(
            templates[CertificateKind.award], certificates.award_recipients(competition), date(2026, 12, 20)
        )
    db.session.commit()
    response = boss.get(f"/manage/{slug}/certificates/{issued[0].id}.pdf")
    assert response.status_code == 200
    _typed_in_pdf(payload, response.data, "the award certificate", times=2)  # award and competition
    no_nul_stored()


# -- imported score files: refused with a message, or numbers only ----------------------

HEADER = "judge_email,entry_code,criterion,score"


@pytest.fixture
def import_world(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    return {"round": round_, "row": [judge.user.email, entry.code, "1", "5"], "app": app}


def _import(w, tmp_path, data: bytes):
    path = tmp_path / "diem.csv"
    path.write_bytes(data)
    result = w["app"].test_cli_runner().invoke(args=["scores", "import", str(w["round"].id), str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _readable(lines: list[str]) -> None:
    for line in lines:
        assert len(line) < 200, f"a message of {len(line)} characters"
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in line), f"invisible character in {line!r}"


def _csv_line(cells) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


HOSTILE_CELLS = [(3, f) for f in FORMULAS] + [
    (3, SCRIPT),
    (3, "1\x00"),
    (3, RTL),
    (3, "５"),
    (3, "NaN"),
    (3, "1e1"),
    (2, SCRIPT),
    (2, REPORTLAB),
    (2, "=1+2"),
    (2, NUL),
    (2, RTL),
    (2, LONG),
    (2, TEMPLATE),
    (0, IMG),
    (0, NUL),
    (0, LONG),
    (0, "=cmd|' /C calc'!A0"),
    (1, '=HYPERLINK("http://evil","x")'),
    (1, NFD),
]


@pytest.mark.parametrize("column, value", HOSTILE_CELLS, ids=lambda v: repr(v)[:20])
def test_a_hostile_cell_in_a_score_file_is_refused_with_its_line(import_world, db, tmp_path, column, value):
    w = import_world
    row = list(w["row"])
    row[column] = value
    result = _import(w, tmp_path, "\n".join([HEADER, _csv_line(w["row"]), _csv_line(row)]).encode())
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) >= 2 and lines[1].startswith("3: "), result.output[:500]  # the row's own line
    # The message quotes the cell, its invisible characters spelled out, on one short line.
    visible = value.replace("\x00", "\\x00").replace("\u202e", "\\u202e")
    assert visible[:40] in lines[1], lines[1]
    _readable(lines)
    assert db.session.scalar(select(func.count()).select_from(Score)) == 0  # all or nothing
    no_nul_stored()


@pytest.mark.parametrize(
    "data",
    [
        b"judge_email,entry_code,criterion,score\n" + b'"a@b.vn","' + b"x" * 200_000 + b'",1,5\n',  # over csv's limit
        b"\x00judge_email,entry_code,criterion,score\n",
        "judge_email,entry_code,criterion,score\n\u202e,,,\n".encode(),
        b"=SUM(A1),@cmd,+1,-1\n",
        b"\xff\xfe" + "judge_email,entry_code,criterion,score\n".encode("utf-16-le"),
        SCRIPT.encode(),
    ],
    ids=["overlong field", "NUL in header", "RTL row", "formula header", "UTF-16", "not a CSV"],
)
def test_a_malformed_score_file_is_refused_with_a_message(import_world, db, tmp_path, data):
    result = _import(import_world, tmp_path, data)
    assert result.exit_code == 1 and result.output.strip(), result.output
    _readable(result.output.splitlines())
    assert db.session.scalar(select(func.count()).select_from(Score)) == 0
    no_nul_stored()


def test_an_imported_file_stores_numbers_only_and_reexports_as_text(import_world, db, tmp_path):
    """A criterion named like a formula is matched by name and exported as text; extra
    columns (a note typed next to each score) are ignored, never stored or exported."""
    w, round_ = import_world, import_world["round"]
    update_rubric(
        db.session.get(Rubric, round_.rubric_id), [replace(PROVINCIAL_100[0], name="=1+2"), *PROVINCIAL_100[1:]]
    )
    db.session.commit()
    notes = [SCRIPT, *FORMULAS, REPORTLAB]
    lines = [HEADER + ",note"] + [
        _csv_line([*w["row"][:2], "=1+2" if n == 0 else str(n + 1), "2", note]) for n, note in enumerate(notes)
    ]
    result = _import(w, tmp_path, "\n".join(lines).encode())
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Score)) == len(notes)
    boss = _as(w["app"], _organizer(round_.competition))
    cells = _export(boss, f"/manage/{round_.competition.slug}/judging/rounds/{round_.id}/score-sheets", "score-sheets")
    assert cells.count(w["row"][1]) == 2 * len(notes)  # one row per score, in both files
    assert cells.count("'=1+2") == 2, "the criterion's name is not exported as text"
    assert not any(note in str(cell) for note in notes[1:] for cell in cells if cell != "'=1+2"), "a note was stored"
    assert SCRIPT not in cells and REPORTLAB not in cells
    no_nul_stored()


def test_times_at_either_end_of_the_calendar_get_a_400_not_a_500(judging_world, db):
    """Year 0001 or 9999 overflows when turned into UTC or back into Vietnam time."""
    w = judging_world
    r, e, c = w["round"].id, w["entries"][0].id, w["round"].rubric.criteria[0].id
    for moment in ("0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-12:00"):
        response = w["tablet"].post(
            f"/api/rounds/{r}/sheets/{e}/changes",
            json={"key": f"k-{moment[:4]}", "criterion_id": c, "value": "1", "changed_at": moment},
            headers={"X-CSRFToken": w["tablet"].token},
        )
        assert response.status_code == 400, (moment, response.status_code)
    base = f"/manage/{w['competition'].slug}/judging"
    for typed in ("0001-01-01T00:00", "9999-12-31T23:59"):
        response = w["boss"].post(
            base + "/publish", data={"csrf_token": w["boss"].token, "publish_at": typed}, follow_redirects=True
        )
        assert response.status_code == 200, (typed, response.status_code)
        assert "Hãy nhập năm, ví dụ 2026." in response.get_data(as_text=True), typed
