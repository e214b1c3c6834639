"""`flask reporting …`: the plan's data for a fresh install, and the reminders
before each deadline (run daily from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reporting_cli = AppGroup("reporting", help="The plan's yearly cycle of unit plans and reports.")


@reporting_cli.command("remind")
def remind_command():
    """Queue reminders to units that have not submitted before a deadline (each once)."""
    from flask import current_app

    from contest.domain import reporting_cycle as cycle
    from contest.extensions import db

    with current_app.test_request_context():
        queued = cycle.queue_reminders(cycle.clock_today())
        db.session.commit()
    click.echo(f"{queued} reminders queued")
