"""The two wings: `contest` stands alone; `judging` builds on it through the
hooks declared in contest.signals."""

from __future__ import annotations

import ast
from pathlib import Path

from contest.extensions import db
from tests.conftest import empty_tables, make_app
from tests.factories import login, make_competition, make_team, make_user

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_contest_never_imports_judging():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "contest").rglob("*.py")
        for module in _imported_modules(path)
        if module == "judging" or module.startswith("judging.")
    )
    assert not offenders, offenders


def test_the_app_runs_with_no_plugins(database_url, tmp_path):
    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"), PLUGINS=())
    with app.app_context():
        try:
            competition = make_competition()
            leader = make_user()
            team = make_team(competition, leader)
            organizer = make_user(admin=True)
            anonymous = app.test_client()
            for path in ("/", f"/c/{competition.slug}", "/login", "/healthz"):
                assert anonymous.get(path).status_code == 200, path
            member = app.test_client()
            login(member, leader)
            page = member.get(f"/teams/{team.id}")
            assert page.status_code == 200
            assert "/judge/" not in page.get_data(as_text=True)  # no link to a wing that is not there
            admin = app.test_client()
            login(admin, organizer)
            for path in (
                "/manage/",
                f"/manage/{competition.slug}/settings",
                f"/manage/{competition.slug}/roles",
                "/reports/",
                "/reports/yearly",
                "/admin/",
            ):
                assert admin.get(path).status_code == 200, path
        finally:
            db.session.remove()
            empty_tables(db.engine)
            db.engine.dispose()
