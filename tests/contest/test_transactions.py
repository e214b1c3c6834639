"""The transaction rule (contest/transactions.py, docs/architecture.md): domain
functions flush, the request commits once at its end, a failed request keeps
nothing, `after_commit` work runs only once the work is committed, `atomic()`
undoes part of a request, a CLI command commits at its end.

What is committed is read through a second connection of its own, as another
process would see it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import abort, flash, jsonify
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from contest.domain import accounts
from contest.extensions import db as _db
from contest.models import User
from contest.transactions import after_commit, atomic
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def observer(database_url):
    """Another connection: sees only what is committed."""
    engine = create_engine(database_url)

    def committed(*emails: str) -> list[str]:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT email FROM users WHERE email IN ("
                    + ", ".join(f":e{i}" for i in range(len(emails)))
                    + ") ORDER BY email"
                ),
                {f"e{i}": e for i, e in enumerate(emails)},
            )
            return [row[0] for row in rows]

    yield committed
    engine.dispose()


def test_a_domain_function_called_twice_in_one_request_commits_nothing_until_the_request_ends(app, client, observer):
    seen = []

    def twice():
        accounts.create_admin("mot@example.vn", "mat-khau-dai-mot", "Một")
        seen.append(observer("mot@example.vn", "hai@example.vn"))
        accounts.create_admin("hai@example.vn", "mat-khau-dai-hai", "Hai")
        seen.append(observer("mot@example.vn", "hai@example.vn"))
        # Flushed: the request's own session reads both.
        seen.append(
            sorted(
                u.email
                for u in _db.session.scalars(
                    _db.select(User).where(User.email.in_(["mot@example.vn", "hai@example.vn"]))
                )
            )
        )
        return "ok"

    app.add_url_rule("/_t/twice", "t_twice", twice)
    assert client.get("/_t/twice").status_code == 200
    assert seen == [[], [], ["hai@example.vn", "mot@example.vn"]]
    assert observer("mot@example.vn", "hai@example.vn") == ["hai@example.vn", "mot@example.vn"]


def test_a_deliberate_4xx_answer_commits_the_work_done(app, client, observer):
    def refused_form():
        accounts.create_admin("ghi-lai@example.vn", "mat-khau-dai-mot", "Ghi lại")
        return "the form, with its errors", 400

    app.add_url_rule("/_t/form", "t_form", refused_form)
    assert client.get("/_t/form").status_code == 400
    assert observer("ghi-lai@example.vn") == ["ghi-lai@example.vn"]


def test_an_exception_after_a_flush_rolls_everything_back(app, client, observer):
    def fails():
        accounts.create_admin("hong@example.vn", "mat-khau-dai-mot", "Hỏng")
        _db.session.flush()
        raise RuntimeError("after the flush")

    app.add_url_rule("/_t/fails", "t_fails", fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error page, not the exception
    response = client.get("/_t/fails")
    assert response.status_code == 500
    assert observer("hong@example.vn") == []


def test_abort_after_a_flush_rolls_everything_back_before_the_error_page(app, client, observer):
    def aborts():
        accounts.create_admin("bo-do@example.vn", "mat-khau-dai-mot", "Bỏ dở")
        abort(404)

    app.add_url_rule("/_t/aborts", "t_aborts", aborts)
    response = client.get("/_t/aborts")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True) or "không tồn tại" in response.get_data(as_text=True)
    assert observer("bo-do@example.vn") == []


def test_after_commit_callbacks_run_only_after_a_successful_commit(app, client, observer):
    ran = []

    def saved():
        accounts.create_admin("sau@example.vn", "mat-khau-dai-mot", "Sau")
        after_commit(lambda: ran.append(("saved", observer("sau@example.vn"))))
        assert ran == []  # not yet
        return "ok"

    def refused():
        accounts.create_admin("khong@example.vn", "mat-khau-dai-mot", "Không")
        after_commit(lambda: ran.append(("refused", observer("khong@example.vn"))))
        abort(403)

    app.add_url_rule("/_t/saved", "t_saved", saved)
    app.add_url_rule("/_t/refused", "t_refused", refused)
    assert client.get("/_t/saved").status_code == 200
    assert client.get("/_t/refused").status_code == 403
    # The callback saw the row committed; the refused request's never ran.
    assert ran == [("saved", ["sau@example.vn"])]


def test_atomic_undoes_its_block_and_its_callbacks_and_keeps_the_request_s_earlier_work(app, client, observer):
    make_user("da-co@example.vn")
    ran = []

    def taken():
        accounts.create_admin("truoc@example.vn", "mat-khau-dai-mot", "Trước")
        after_commit(lambda: ran.append("before"))
        try:
            with atomic():
                after_commit(lambda: ran.append("inside"))
                _db.session.add(User(email="da-co@example.vn", full_name="Trùng", password_hash="x", locale="vi"))
                _db.session.flush()
        except IntegrityError:
            return jsonify(error="taken"), 409
        return "not refused"

    app.add_url_rule("/_t/taken", "t_taken", taken)
    response = client.get("/_t/taken")
    assert (response.status_code, response.get_json()) == (409, {"error": "taken"})
    assert observer("truoc@example.vn") == ["truoc@example.vn"]
    assert ran == ["before"]


def test_a_savepoint_released_commits_nothing_before_the_request_ends(app, client, observer):
    # pysqlite on its own would let RELEASE SAVEPOINT commit a transaction it
    # had not begun; the engine's recipe (transactions.install_sqlite_savepoints) keeps it inside.
    seen = []

    def released():
        with atomic():
            accounts.create_admin("giu@example.vn", "mat-khau-dai-mot", "Giữ")
        seen.append(observer("giu@example.vn"))
        return "ok"

    app.add_url_rule("/_t/released", "t_released", released)
    assert client.get("/_t/released").status_code == 200
    assert seen == [[]]
    assert observer("giu@example.vn") == ["giu@example.vn"]


def test_a_commit_that_fails_gives_an_error_page_and_keeps_nothing(app, client, observer):
    make_user("trung@example.vn")

    def clashes():
        accounts.create_admin("cung-luc@example.vn", "mat-khau-dai-mot", "Cùng lúc")
        # Not flushed: the unique address is refused only by the commit.
        _db.session.add(User(email="trung@example.vn", full_name="Trùng", password_hash="x", locale="vi"))
        flash("Đã lưu.", "success")
        return "saved, says the page"

    app.add_url_rule("/_t/clashes", "t_clashes", clashes)
    app.add_url_rule("/api/_t/clashes", "t_api_clashes", clashes)
    response = client.get("/_t/clashes")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "saved, says the page" not in body
    assert "nothing was changed" in body or "không có gì thay đổi" in body
    assert observer("cung-luc@example.vn") == []
    with client.session_transaction() as session:
        assert "_flashes" not in session  # the page's "saved" is not shown later either
    api = client.get("/api/_t/clashes")
    assert api.status_code == 500 and api.get_json()["error"] == "not_saved"


def test_cli_commands_commit_at_their_end(app, observer):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "dong-lenh@example.vn", "--password", "mat-khau-dai-mot"]
    )
    assert result.exit_code == 0, result.output
    assert observer("dong-lenh@example.vn") == ["dong-lenh@example.vn"]
    # Refused (already an administrator): nothing more is committed and the command fails.
    again = app.test_cli_runner().invoke(args=["create-admin", "dong-lenh@example.vn", "--password", "x" * 12])
    assert again.exit_code != 0
    assert "already an administrator" in again.output or "đã là quản trị viên" in again.output


# Domain functions never commit. The exceptions, each explained where it is and
# in docs/architecture.md: background work and batch jobs that own their transactions,
# and the device's rotated login secret.
ALLOWED_COMMITS = {
    ("contest/domain/outbox.py", "_claim"),
    ("contest/domain/outbox.py", "_finish"),
    ("contest/domain/certificates.py", "run_batch"),
    ("contest/domain/attachments.py", "purge_expired_files"),
    ("contest/domain/login_sessions.py", "rotate"),
}


def _commits(path: Path) -> set[tuple[str, str]]:
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
                and "session" in ast.unparse(node.func.value)
            ):
                found.add((str(path.relative_to(ROOT)), function.name))
    return found


def test_domain_functions_do_not_commit():
    found = set()
    for package in ("contest/domain", "judging/domain"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found |= _commits(path)
    assert found - ALLOWED_COMMITS == set()
    assert ALLOWED_COMMITS - found == set(), "an allowed exception is gone: take it off the list and the docs"
