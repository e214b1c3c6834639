"""The mail outbox: queue in the caller's transaction, deliver later with retries.

Queuing adds a row to the request's (or command's) transaction: the mail
exists only if that work is committed. Sending is background work that owns
its transactions (docs/architecture.md): a claim and each message's outcome
are committed on their own, so a sender stopped half-way loses nothing.

Any number of senders may run at once (several gunicorn workers, a
`flask outbox send` loop): a message is claimed with a conditional UPDATE that
only one of them can win, and marked sent by the one that claimed it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult

from contest.extensions import db, mail
from contest.models import OutboxMessage, OutboxStatus
from contest.models.base import utcnow
from contest.transactions import after_commit

# What each state means to the staff reading the outbox.
STATUS_LABELS = {
    OutboxStatus.pending: _l("Waiting to be sent"),
    OutboxStatus.sent: _l("Sent"),
    OutboxStatus.failed: _l("Failed (gave up)"),
}

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def queue_mail(
    recipient: str,
    template: str,
    *,
    locale: str = "vi",
    attachments: list[dict] | None = None,
    **context,
) -> OutboxMessage:
    """Render `templates/mail/<template>.txt` in the recipient's locale and add it
    to the current session; it is sent only if the caller's transaction commits.

    The template's first line is the subject."""
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.lstrip().partition("\n")
    domain = current_app.config["PUBLIC_BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain or 'localhost'}>",
        recipient=recipient,
        # One header line whatever a name held: a lone CR (or another line separator)
        # would make the SMTP library refuse the message, so it would never arrive.
        subject=" ".join(subject.split())[:300],
        body_text=body.strip() + "\n",
        attachments_json=json.dumps(attachments) if attachments else None,
        status=OutboxStatus.pending,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    sender = current_app.extensions.get("outbox_sender")
    if sender is not None:
        after_commit(sender.poke)  # the in-process sender, once the mail is committed
    return message


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s, ... capped at an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def _claim(batch_size: int, sender_id: str, now) -> list[int]:
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    due = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now, due)
        .order_by(OutboxMessage.id)
        .limit(batch_size)
    ).all()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.pending, due)
            .values(claimed_until=now + lease, claimed_by=sender_id)
        )
        if cast(CursorResult[Any], result).rowcount == 1:  # an UPDATE's result is a cursor's
            claimed.append(message_id)
    db.session.commit()
    return claimed


def _to_flask_message(row: OutboxMessage) -> Message:
    msg = Message(subject=row.subject, recipients=[row.recipient], body=row.body_text)
    if row.body_html:
        msg.html = row.body_html
    msg.msgId = row.message_id  # Flask-Mail writes it as the one Message-ID header
    for item in json.loads(row.attachments_json or "[]"):
        from contest.storage import get_storage  # storage is optional for plain mail

        data = get_storage().read(item["key"])
        msg.attach(item["filename"], item.get("content_type", "application/octet-stream"), data)
    return msg


def _finish(message_id: int, sender_id: str, *, error: str | None, now) -> str:
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.claimed_by != sender_id or row.status is not OutboxStatus.pending:
        return "lost_claim"
    row.claimed_until = None
    row.claimed_by = None
    if error is None:
        row.status = OutboxStatus.sent
        row.sent_at = now
        row.last_error = None
        outcome = "sent"
    else:
        row.attempts += 1
        row.last_error = error[:2000]
        if row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.failed
            outcome = "gave_up"
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            outcome = "failed"
    db.session.commit()
    return outcome


def send_due(batch_size: int = 50, *, now=None, sender_id: str | None = None) -> SendReport:
    """Deliver every message that is due, at most `batch_size` of them."""
    now = now or utcnow()
    sender_id = sender_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    report = SendReport()
    claimed = _claim(batch_size, sender_id, now)
    if not claimed:
        return report
    try:
        connection = mail.connect()
        connection.__enter__()
    except (OSError, Exception) as exc:  # SMTP down: every claimed message is retried later
        for message_id in claimed:
            _count(report, _finish(message_id, sender_id, error=f"connect: {exc}", now=now))
        return report
    try:
        for message_id in claimed:
            row = db.session.get_one(OutboxMessage, message_id)
            try:
                connection.send(_to_flask_message(row))
            except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried
                log.warning("outbox message %s failed: %s", message_id, exc)
                _count(report, _finish(message_id, sender_id, error=str(exc), now=now))
            else:
                _count(report, _finish(message_id, sender_id, error=None, now=now))
    finally:
        try:
            connection.__exit__(None, None, None)  # type: ignore[arg-type]  # "no exception", as the with statement says it
        except Exception as exc:  # noqa: BLE001 - closing a broken connection may fail too
            log.debug("closing the SMTP connection failed: %s", exc)
    return report


def _count(report: SendReport, outcome: str) -> None:
    if outcome == "sent":
        report.sent += 1
    elif outcome == "failed":
        report.failed += 1
    elif outcome == "gave_up":
        report.gave_up += 1


class InProcessSender:
    """Background thread for single-box set-ups: wakes after each request that
    queued mail, and every few seconds to retry what failed."""

    def __init__(self, app, interval: float = 5.0):
        self.app = app
        self.interval = interval
        self.wakeup = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
            self.thread.start()

    def poke(self) -> None:
        if not self.stopping.is_set():
            self.start()
            self.wakeup.set()

    def stop(self, timeout: float = 5.0) -> None:
        """For an app that is shut down while its process lives on (tests):
        a forgotten sender would go on claiming another app's mail."""
        self.stopping.set()
        self.wakeup.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wakeup.wait(self.interval)
            self.wakeup.clear()
            if self.stopping.is_set():
                return
            try:
                with self.app.app_context():
                    send_due()
                    db.session.remove()
            except Exception:  # noqa: BLE001 - the loop must survive a bad moment
                log.exception("outbox sender loop failed")
