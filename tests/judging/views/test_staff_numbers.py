"""The organizers' results and diagnostics pages, and a judge's tablet sheet, write numbers
the page's way: "79,70", "73,0", "+1,5" in Vietnamese (as the public results page does),
never "79.70"."""

import re
from decimal import Decimal
from html import unescape

from contest.domain.competitions import grant_role
from contest.extensions import db
from contest.models import CompetitionRoleKind
from judging.domain.scoring import Change, apply_change, submit_sheet
from tests.factories import csrf_token, login, make_competition, make_judge, make_round, make_user, make_valid_entry

# A decimal point between digits: the English spelling, wrong on a Vietnamese page.
POINT = re.compile(r"\d\.\d")


def _client(app, user):
    client = app.test_client()
    login(client, user)
    client.token = csrf_token(client, "/account/")
    return client


def _score(app, round_, judge, entry, share):
    with app.test_request_context():
        for criterion in round_.rubric.criteria:
            value = criterion.step * int(criterion.max_points * Decimal(str(share)) // criterion.step)
            apply_change(
                round_.id,
                entry.id,
                judge.user_id,
                Change(f"{judge.id}-{entry.id}-{criterion.id}", criterion.id, value, None, "test"),
            )
        submit_sheet(round_.id, entry.id, judge.user_id)
    db.session.commit()


def _main(page: str) -> str:
    return unescape(page[page.index("<main") : page.index("</main>")])


def _text(html: str) -> str:
    """What a reader sees: no tags, their attributes or the chart's coordinates."""
    return re.sub(r"<[^>]*>", " ", re.sub(r"<svg.*?</svg>", " ", html, flags=re.S))


def test_staff_results_and_diagnostics_write_vietnamese_numbers(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    panel = [make_judge(competition, make_user(name=name)) for name in ("Lê Thị Hoa", "Phạm Văn Bình", "Võ Lan")]
    round_ = make_round(competition, entries, panel)
    round_.result_method = "mean"
    db.session.commit()
    shares = {0: (0.93, 0.71, 0.55), 1: (0.77, 0.68, 0.5), 2: (0.62, 0.83, 0.58)}
    for j, judge in enumerate(panel):
        for e, entry in enumerate(entries):
            _score(app, round_, judge, entry, shares[j][e])

    boss_user = make_user(name="Ban tổ chức")
    grant_role(competition, boss_user.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    boss = _client(app, boss_user)
    base = f"/manage/{competition.slug}/judging/rounds/{round_.id}"

    results = _main(boss.get(base + "/results").get_data(as_text=True))
    standings = results[results.index("<tbody>") : results.index("</tbody>")]
    assert re.search(r"<td>\d+,\d\d</td>", standings), standings  # the combined score, "79,70"
    assert re.search(r"Lê Thị Hoa: \d+,\d;", standings), standings  # a judge's total, "73,0"
    assert re.search(r"chênh lệch nhiều: \d+,\d điểm", results), results  # a warning, "31,0 điểm"
    assert not POINT.search(_text(results)), POINT.findall(_text(results))

    diagnostics = _main(boss.get(base + "/diagnostics").get_data(as_text=True))
    table = diagnostics[diagnostics.index("<tbody>") : diagnostics.index("</tbody>")]
    assert re.search(r"<td>[+-]\d+,\d</td>", table), table  # an offset from the panel, "+1,5"
    assert "ICC(2,1) = <strong>" in diagnostics
    assert not POINT.search(_text(diagnostics)), POINT.findall(_text(diagnostics))

    # The entry's funding, with the thousands grouped as the form's hint writes them.
    entries[0].funding_needed = 1_500_000_000
    db.session.commit()
    page = unescape(boss.get(f"/manage/{competition.slug}/entries/{entries[0].id}").get_data(as_text=True))
    assert "1.500.000.000" in page and "1500000000" not in page


def test_warnings_write_vietnamese_numbers(app, db):
    from contest.i18n import format_fixed

    with app.test_request_context():
        assert format_fixed(1.5, 1, signed=True) == "+1,5"
        assert format_fixed(-0.5, 1, signed=True) == "-0,5"
        assert format_fixed(73, 1) == "73,0"
        assert format_fixed(0.8123, 2) == "0,81"
