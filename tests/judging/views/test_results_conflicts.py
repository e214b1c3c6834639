"""Through the pages: a judge scores, then declares a conflict with an entry on
the tablet; the organizer sees the pair excluded on the board, locks without
waiting for it, reads the exclusion on the results and diagnostics pages and in
the score-sheet export, freezes, and the team's feedback leaves that judge's
comment out."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contest.domain.competitions import grant_role
from contest.extensions import db
from contest.models import AuditEvent, CompetitionRoleKind
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import Conflict, ResultSnapshot, ScoreSheet
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)

REASON = "Em trai tôi là trưởng nhóm"
COMMENT = "Ý tưởng tuyệt vời, xứng đáng giải nhất"


def _client(app, user):
    client = app.test_client()
    login(client, user)
    client.token = csrf_token(client, "/account/")
    return client


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": client.token, **data})


def _score(app, round_, judge, entry, share, comment=""):
    with app.test_request_context():
        for criterion in round_.rubric.criteria:
            value = criterion.step * int(criterion.max_points * Decimal(str(share)) // criterion.step)
            apply_change(
                round_.id,
                entry.id,
                judge.user_id,
                Change(f"{judge.id}-{entry.id}-{criterion.id}", criterion.id, value, None, "test"),
            )
        if comment:
            apply_change(
                round_.id,
                entry.id,
                judge.user_id,
                Change(f"{judge.id}-{entry.id}-comment", None, comment, None, "test"),
            )
        submit_sheet(round_.id, entry.id, judge.user_id)
    db.session.commit()


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_an_exclusion_is_shown_exported_frozen_and_kept_from_the_team(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    panel = [make_judge(competition, make_user(name=name)) for name in ("Lê Thị Hoa", "Phạm Văn Bình")]
    round_ = make_round(competition, entries, panel)
    round_.result_min_scores = 1
    db.session.commit()
    for judge in panel:
        for entry in entries:
            _score(
                app,
                round_,
                judge,
                entry,
                1 if judge is panel[0] else 0.5,
                comment=COMMENT if judge is panel[0] else "Cần làm rõ thị trường",
            )
    conflicted, first = panel[0], entries[0]

    # The judge declares the conflict on the tablet after having scored the entry.
    tablet = _client(app, conflicted.user)
    response = _post(tablet, f"/judge/rounds/{round_.id}/entries/{first.id}/conflict", reason=REASON)
    assert response.status_code == 302
    conflict = db.session.scalar(select(Conflict))
    sheet = db.session.scalar(
        select(ScoreSheet).where(ScoreSheet.judge_id == conflicted.id, ScoreSheet.entry_id == first.id)
    )
    excluded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "scores.excluded")).all()
    assert [(e.object_id, e.actor_id) for e in excluded] == [(str(sheet.id), conflicted.user_id)]

    boss_user = make_user(name="Ban tổ chức")
    grant_role(competition, boss_user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    boss = _client(app, boss_user)
    base = f"/manage/{competition.slug}/judging/rounds/{round_.id}"

    # The board marks the pair; the lock needs no reason.
    board = boss.get(base).get_data(as_text=True)
    assert board.count("board__cell--excluded") == 1
    assert _post(boss, base + "/lock", reason="").status_code == 302
    db.session.refresh(round_)
    assert round_.state.value == "locked"

    # The results warn; the diagnostics list the judge, the entry, when and why.
    page = unescape(boss.get(base + "/results").get_data(as_text=True))
    assert (
        "1 phiếu chấm bị loại khỏi kết quả vì giám khảo có xung đột lợi ích" in page
    )  # the organizer reads Vietnamese
    page = unescape(boss.get(base + "/diagnostics").get_data(as_text=True))
    section = page[page.index('id="exclusions"') :]
    row = section[section.index("<tbody>") : section.index("</tbody>")]
    assert conflicted.user.full_name in row and first.code in row and REASON in row
    local = conflict.decided_at.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    assert f"{local:%H:%M}" in row and local.strftime("%y") in row
    assert panel[1].user.full_name not in row and entries[1].code not in row

    # The score-sheet export says which rows count and why the others do not.
    rows = _csv(boss.get(base + "/score-sheets.csv").data)
    header, body = rows[0], rows[1:]
    assert len(header) == 7
    counts = {(r[0], r[1], r[-1]) for r in body}
    assert {c for code, judge, c in counts if (code, judge) == (first.code, conflicted.user.full_name)} == {
        "không: xung đột lợi ích"
    }
    assert {c for code, judge, c in counts if (code, judge) != (first.code, conflicted.user.full_name)} == {"có"}

    # Frozen: the snapshot leaves the sheet out and says why; the page says nothing is stale.
    assert _post(boss, base + "/results/freeze").status_code == 302
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert {(i["judge"], i["entry"]) for i in snapshot.inputs} == {
        (panel[1].id, first.id),
        (panel[0].id, entries[1].id),
        (panel[1].id, entries[1].id),
    }
    assert [x["sheet"] for x in snapshot.excluded] == [sheet.id]
    page = unescape(boss.get(base + "/diagnostics").get_data(as_text=True))
    assert "alert--warning" not in page[page.index('id="exclusions"') :]

    # Published with feedback: the team reads the other judge's comment only.
    slug = competition.slug
    assert _post(boss, f"/manage/{slug}/judging/awards", action="defaults").status_code == 302
    assert _post(boss, f"/manage/{slug}/judging/awards", action="propose").status_code == 302
    when = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])) - timedelta(minutes=5)
    assert (
        _post(
            boss, f"/manage/{slug}/judging/publish", publish_at=when.strftime("%Y-%m-%dT%H:%M"), feedback="1"
        ).status_code
        == 302
    )
    team = first.team
    feedback = unescape(_client(app, team.leader).get(f"/teams/{team.id}/feedback").get_data(as_text=True))
    assert "Cần làm rõ thị trường" in feedback and COMMENT not in feedback
    other = entries[1].team
    feedback = unescape(_client(app, other.leader).get(f"/teams/{other.id}/feedback").get_data(as_text=True))
    assert COMMENT in feedback


def test_a_conflict_confirmed_after_the_freeze_is_flagged_on_the_diagnostics(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    panel = [make_judge(competition, make_user(name=name)) for name in ("Lê Thị Hoa", "Phạm Văn Bình")]
    round_ = make_round(competition, entries, panel)
    for judge in panel:
        for entry in entries:
            _score(app, round_, judge, entry, 0.5)
    boss_user = make_user(name="Ban tổ chức")
    grant_role(competition, boss_user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    boss = _client(app, boss_user)
    base = f"/manage/{competition.slug}/judging/rounds/{round_.id}"
    assert _post(boss, base + "/lock", reason="").status_code == 302
    assert _post(boss, base + "/results/freeze").status_code == 302
    page = unescape(boss.get(base + "/diagnostics").get_data(as_text=True))
    section = page[page.index('id="exclusions"') :]
    assert "<tbody>" not in section and "alert--warning" not in section

    tablet = _client(app, panel[0].user)
    assert (
        _post(tablet, f"/judge/rounds/{round_.id}/entries/{entries[0].id}/conflict", reason=REASON).status_code == 302
    )
    page = unescape(boss.get(base + "/diagnostics").get_data(as_text=True))
    section = page[page.index('id="exclusions"') :]
    assert "alert--warning" in section and REASON in section
    assert unescape(boss.get(base + "/results").get_data(as_text=True)).count("alert--warning") == 1


def test_awards_decided_before_a_conflict_left_a_sheet_out_are_not_published(app, db):
    """Frozen, awards proposed, then a judge declares a conflict: the scores that count are no
    longer those the awards were decided on. The publication page says so instead of offering
    to publish, a publication sent anyway is refused with the reason, and nothing is published
    until the results are frozen again and the awards proposed again."""
    from judging.models import Publication

    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    panel = [make_judge(competition, make_user(name=name)) for name in ("Lê Thị Hoa", "Phạm Văn Bình")]
    round_ = make_round(competition, entries, panel)
    round_.result_min_scores = 1
    db.session.commit()
    for judge in panel:
        for entry, share in zip(entries, (0.9, 0.5), strict=True):
            _score(app, round_, judge, entry, share)
    boss_user = make_user(name="Ban tổ chức")
    grant_role(competition, boss_user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    boss = _client(app, boss_user)
    slug = competition.slug
    base = f"/manage/{slug}/judging/rounds/{round_.id}"
    assert _post(boss, base + "/lock", reason="").status_code == 302
    assert _post(boss, base + "/results/freeze").status_code == 302
    assert _post(boss, f"/manage/{slug}/judging/awards", action="defaults").status_code == 302
    assert _post(boss, f"/manage/{slug}/judging/awards", action="propose").status_code == 302
    page = unescape(boss.get(f"/manage/{slug}/judging/publish").get_data(as_text=True))
    assert 'id="stale-results"' not in page and 'value="publish"' in page  # current: offered as before

    tablet = _client(app, panel[0].user)
    assert (
        _post(tablet, f"/judge/rounds/{round_.id}/entries/{entries[0].id}/conflict", reason=REASON).status_code == 302
    )
    page = unescape(boss.get(f"/manage/{slug}/judging/publish").get_data(as_text=True))
    assert 'id="stale-results"' in page and 'value="publish"' not in page
    assert f"Điểm của {round_.name} đã thay đổi sau khi kết quả được chốt (phiên bản 1)" in page
    answer = _post(boss, f"/manage/{slug}/judging/publish", action="publish", publish_at="")
    assert answer.status_code == 302
    page = unescape(boss.get(answer.headers["Location"]).get_data(as_text=True))
    assert page.count(f"Điểm của {round_.name} đã thay đổi") == 2  # the refusal's message, and the page's
    assert db.session.scalars(select(Publication)).all() == []
    assert not db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "results.published"))

    # Frozen again with the reason, the awards are older than the results: proposed again, published.
    assert _post(boss, base + "/results/freeze", reason="Giám khảo khai báo xung đột lợi ích").status_code == 302
    page = unescape(boss.get(f"/manage/{slug}/judging/publish").get_data(as_text=True))
    assert "Giải thưởng đã được quyết định trước lần chốt kết quả gần nhất" in page and "phiên bản 2" in page
    assert _post(boss, f"/manage/{slug}/judging/awards", action="propose").status_code == 302
    assert _post(boss, f"/manage/{slug}/judging/publish", action="publish", publish_at="").status_code == 302
    published = db.session.scalar(select(Publication))
    assert published is not None and published.content["snapshot_version"] == 2
