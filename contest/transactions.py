"""Who commits: the request, once, at its end (docs/architecture.md, "Transactions").

Domain functions change rows and flush; they never commit. A request's work
is one transaction: when the view returns a response — whatever status it
chose, a redirect, a page or a 4xx form with its errors — the transaction is
committed before a byte of the answer leaves; when the view (or anything
before it) raises, or calls `abort`, everything is rolled back before the
error page is made. A commit that fails turns into an error page saying
nothing was saved, never into a half-sent page. A CLI command commits
explicitly at its end.

Side effects that must not happen unless the work is kept — deleting stored
files, waking the outbox sender, clearing a cache — are registered with
`after_commit(callback)`; they run once the outermost transaction has
committed and are dropped when it rolls back. Mail is a row in the outbox,
queued in the same transaction (contest/domain/outbox.py).

`atomic()` is a SAVEPOINT for the few places that undo part of a request and
go on: a refused change (a unique key taken, a rule broken half-way) is rolled
back to the savepoint, the request's earlier work stays and is committed at
its end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, g, has_request_context, jsonify, render_template, request, session
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from contest.extensions import db

log = logging.getLogger(__name__)

_CALLBACKS = "after_commit"
_ABANDONED = "_transaction_abandoned"


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` (no arguments) once the current transaction has committed;
    never if it rolls back (inside `atomic()`: if that savepoint rolls back).
    It runs after the transaction has ended: it must not use the session's
    rows; a failure is logged, the committed work stands."""
    db.session().info.setdefault(_CALLBACKS, []).append(callback)


@contextmanager
def atomic() -> Iterator[None]:
    """A SAVEPOINT: on an exception inside the block its changes (and the
    `after_commit` callbacks registered in it) are undone and the exception goes
    on; the request's work before the block is kept. Nothing is committed here."""
    current = db.session()
    callbacks = current.info.setdefault(_CALLBACKS, [])
    mark = len(callbacks)
    try:
        with current.begin_nested():
            yield
    except BaseException:
        del callbacks[mark:]
        raise


def _run_callbacks(current: Session) -> None:
    if current.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    for callback in current.info.pop(_CALLBACKS, []):
        try:
            callback()
        except Exception:  # noqa: BLE001 - the work is committed; a side effect failing must not undo the answer
            log.exception("after-commit callback %r failed", callback)


def _drop_callbacks(current: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed ones have run
        current.info.pop(_CALLBACKS, None)


def _abandon() -> None:
    """The request failed: nothing it changed is kept."""
    if has_request_context():
        g.setdefault(_ABANDONED, True)
    db.session.rollback()


class TransactionalFlask(Flask):
    """Flask with the request's transaction rolled back as soon as the request
    fails (an exception, `abort`, a refused CSRF token), before the error page
    is made: that page then reads a clean session and the failed work is never
    committed."""

    def handle_user_exception(self, e):
        _abandon()
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        _abandon()
        return super().handle_exception(e)


def _finish_request(response):
    if g.pop(_ABANDONED, False):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except SQLAlchemyError:
        log.exception("commit at the end of %s %s failed", request.method, request.path)
        db.session.rollback()
        return _not_saved()
    return response


def _not_saved():
    # What the page said would be done was not: drop its messages too.
    session.pop("_flashes", None)
    message = _("Your change could not be saved and nothing was changed. Please try again.")
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json" or request.is_json:
        response = jsonify(error="not_saved", message=message)
    else:
        response = render_template("error.html", status=500, title="not_saved", message=message)
    db.session.rollback()  # whatever rendering the page read
    return response, 500


def init_app(app: Flask) -> None:
    """Wire the rule into `app`. Call after every other `after_request`
    handler is registered: handlers run last-registered first, so the commit
    happens before the others see (and log) the final answer."""
    if not isinstance(app, TransactionalFlask):
        raise TypeError("the app must be a TransactionalFlask (contest.factory builds one)")
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", _run_callbacks):
        event.listen(factory, "after_commit", _run_callbacks)
        event.listen(factory, "after_transaction_end", _drop_callbacks)

    @app.after_request
    def _commit_request(response):
        result = _finish_request(response)
        if isinstance(result, tuple):
            return app.make_response(result)
        return result


_SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def install_sqlite_savepoints(engine) -> None:
    """Make SAVEPOINT work on SQLite. pysqlite begins a transaction on its own,
    only before a write, and knows nothing of SAVEPOINT: a savepoint taken
    before any write starts a transaction pysqlite does not see, and its
    RELEASE commits everything. SQLAlchemy's documented recipe: the driver
    begins nothing (`isolation_level = None`) and the application emits BEGIN.
    It is emitted here before the transaction's first write or savepoint
    rather than at its first read, as pysqlite did: reads before it see the
    latest commits (as PostgreSQL's READ COMMITTED does) and never hold an
    old snapshot that a later write could not build on ("database is locked"
    without waiting). It is BEGIN IMMEDIATE, taking the write lock at once (and
    waiting for it, busy_timeout): a savepoint (`atomic()`) opens the transaction
    before the reads that precede its writes, and a deferred BEGIN there let a
    request's first write meet another's commit and fail at once (a team's
    submission racing its own autosave). PostgreSQL needs none of this and is left alone."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(connection, _cursor, statement, _parameters, _context, _executemany):
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.in_transaction or not connection.in_transaction():
            return
        if statement.lstrip().split(None, 1)[0].upper() in _SQLITE_WRITES:
            dbapi_connection.execute("BEGIN IMMEDIATE")
