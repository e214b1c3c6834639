"""`flask scores import ROUND FILE.csv`: the paper fallback's way back in."""

from __future__ import annotations

import click
from flask.cli import AppGroup


def register_cli(app) -> None:
    scores = AppGroup("scores", help="Scores (paper fallback).")

    @scores.command("import")
    @click.argument("round_id", type=int)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--by", "actor_email", default=None, help="E-mail of the person importing (for the audit log).")
    def import_scores(round_id, path, actor_email):
        """Import scores typed from paper sheets; nothing is imported if any row is bad."""
        from contest.extensions import db
        from judging.domain.paper_import import import_scores_file

        with open(path, "rb") as fh:
            data = fh.read()
        report, lines = import_scores_file(round_id, data, actor_email)
        for line in lines:
            click.echo(line)
        if not report.ok:
            raise SystemExit(1)
        db.session.commit()

    app.cli.add_command(scores)
