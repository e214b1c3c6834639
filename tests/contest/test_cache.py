"""The app's one cache (contest/cache.py): what it keeps, what it never keeps,
forgetting before and after a commit, a backend that fails, and no other cache
anywhere in the code."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

from flask import session
from flask_babel import refresh

from contest import cache
from contest.domain import competitions, entries, login_sessions
from tests.conftest import make_app
from tests.factories import make_competition, make_user

ROOT = Path(__file__).resolve().parents[2]


class Counter:
    def __init__(self, value=b"trang"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_value_is_made_once_and_none_is_never_kept(app):
    make = Counter("giá trị")
    assert cache.get_or_set("k", make, 60) == "giá trị"
    assert cache.get_or_set("k", make, 60) == "giá trị"
    assert make.calls == 1
    nothing = Counter(None)
    cache.get_or_set("khong-co", nothing, 60)
    cache.get_or_set("khong-co", nothing, 60)
    assert nothing.calls == 2


def test_clear_forgets_everything(app):
    cache.get_or_set("a", lambda: 1, 60)
    cache.get_or_set("b", lambda: 2, 60)
    cache.clear()
    assert cache.get_or_set("a", lambda: 3, 60) == 3 and cache.get_or_set("b", lambda: 4, 60) == 4


def test_a_page_is_kept_only_for_anonymous_visitors_without_a_query_string(app, db):
    render = Counter()
    for _ in range(2):
        with app.test_request_context("/c/cuoc-thi"):
            assert cache.cached_page(render, 60) == b"trang"
    assert render.calls == 1, "the anonymous page was rendered twice"
    for path in ("/c/cuoc-thi?utm_source=nguoi-dau-tien", "/c/cuoc-thi?fbclid=nguoi-thu-hai"):
        with app.test_request_context(path):
            cache.cached_page(render, 60)
    assert render.calls == 3, "a page with a query string was answered from, or kept in, the cache"
    user = make_user()
    with app.test_request_context("/c/khac"):
        login_sessions.sign_in(user)
        cache.cached_page(render, 60)
    with app.test_request_context("/c/khac"):
        cache.cached_page(render, 60)
    assert render.calls == 5, "a logged-in visitor's page was kept for the next visitor"


def test_a_page_is_kept_per_language_and_version(app):
    render = Counter()
    with app.test_request_context("/c/x"):
        cache.cached_page(render, 60, version="1")
        cache.cached_page(render, 60, version="2")
    with app.test_request_context("/c/x"):
        session["locale"] = "en"
        refresh()  # as each request does (contest/factory.py)
        cache.cached_page(render, 60, version="2")
        cache.cached_page(render, 60, version="2")
    assert render.calls == 3


def _change_something(db, name="Người đổi"):
    """A change flushed, not committed: the request's transaction is open."""
    make_user().full_name = name
    db.session.flush()
    assert db.session().in_transaction()


def test_forget_deletes_now_and_again_when_the_transaction_commits(app, db):
    _change_something(db)
    cache.get_or_set("danh-sach", lambda: "cũ", 60)
    cache.forget("danh-sach")
    assert cache.get_or_set("danh-sach", lambda: "đọc trước khi ghi xong", 60) == "đọc trước khi ghi xong"
    db.session.commit()
    assert cache.get_or_set("danh-sach", lambda: "mới", 60) == "mới", "a value kept before the commit survived it"


def test_a_released_savepoint_is_not_the_commit(app, db):
    _change_something(db)
    with db.session.begin_nested():
        cache.forget("danh-sach")
    cache.get_or_set("danh-sach", lambda: "đọc giữa chừng", 60)
    assert cache.get_or_set("danh-sach", lambda: "khác", 60) == "đọc giữa chừng"
    db.session.commit()
    assert cache.get_or_set("danh-sach", lambda: "mới", 60) == "mới"


def test_forget_outside_a_transaction_deletes_at_once_and_a_rollback_drops_what_waited(app, db):
    db.session.commit()
    assert not db.session().in_transaction()
    cache.get_or_set("x", lambda: 1, 60)
    cache.forget("x")
    assert cache.get_or_set("x", lambda: 2, 60) == 2
    _change_something(db)
    cache.forget("y")
    db.session.rollback()
    cache.get_or_set("y", lambda: "giữ", 60)
    _change_something(db, "Người khác")
    db.session.commit()  # a later transaction does not forget what a rolled-back one asked
    assert cache.get_or_set("y", lambda: "khác", 60) == "giữ"


def test_a_cache_that_fails_is_a_miss_not_an_error(database_url, tmp_path, caplog, monkeypatch):
    # An earlier test's migration ran Alembic's fileConfig, which disables the loggers that existed then.
    monkeypatch.setattr(logging.getLogger("contest.cache"), "disabled", False)
    broken = make_app(
        database_url,
        UPLOAD_FOLDER=str(tmp_path),
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL="redis://127.0.0.1:9/0",  # nothing listens on the discard port
        CACHE_OPTIONS={"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
    )
    with broken.app_context():
        make = Counter("từ cơ sở dữ liệu")
        assert cache.get_or_set("k", make, 60) == "từ cơ sở dữ liệu"
        assert cache.get_or_set("k", make, 60) == "từ cơ sở dữ liệu"
        assert make.calls == 2
        cache.forget("k")
        assert "forgetting k failed" in caplog.text
        assert broken.test_client().get("/c/khong-co-cuoc-thi-nay").status_code == 404
        from contest.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_the_entry_forms_lists_change_at_once_when_the_boards_do(app, db):
    competition = make_competition()
    boards, _fields = entries.shown_choices(competition.id)
    assert "Bảng mới" not in [name for _id, name in boards]
    competitions.update_settings(
        competition, boards=[(b.code, b.name) for b in competition.boards] + [("M", "Bảng mới")]
    )
    boards, _fields = entries.shown_choices(competition.id)
    assert "Bảng mới" in [name for _id, name in boards]


# -- one cache -----------------------------------------------------------------------

_CONTAINERS = {
    "dict",
    "defaultdict",
    "OrderedDict",
    "WeakKeyDictionary",
    "WeakValueDictionary",
    "set",
    "list",
    "deque",
    "Counter",
    "TTLCache",
    "LRUCache",
}
# Pure memoisation of immutable things: font metrics, colours, QR codes and the
# layout of a (frozen) certificate template in pure PDF code; the stand-in
# password hash made once per cost.
_PURE_MEMOS = {
    "contest/pdf/__init__.py",
    "contest/pdf/fonts.py",
    "contest/certificates/layout.py",
    "contest/domain/passwords.py",
}


def _sources():
    for package in ("contest", "judging"):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_keeps_a_cache_of_its_own():
    """Module-level mutable containers are where caches grow; functools memoisation
    only in pure PDF code; Flask-Caching only through contest/cache.py."""
    found = []
    for name, tree in _sources():
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if isinstance(value, (ast.Dict, ast.Set, ast.List)) and not getattr(
                value, "keys", getattr(value, "elts", None)
            ):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
            if (
                isinstance(value, ast.Call)
                and getattr(value.func, "id", getattr(value.func, "attr", None)) in _CONTAINERS
            ):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            module = node.module if isinstance(node, ast.ImportFrom) else ""
            if any(n in ("lru_cache", "cache") for n in names) and module == "functools" and name not in _PURE_MEMOS:
                found.append(f"{name}:{node.lineno} functools memoisation outside pure code")
            if (module or "").startswith(("flask_caching", "cachelib", "cachetools")) or any(
                n.startswith(("flask_caching", "cachelib", "cachetools")) for n in names
            ):
                if name != "contest/cache.py":
                    found.append(f"{name}:{node.lineno} a cache library used outside contest/cache.py")
    assert not found, "\n".join(found)
