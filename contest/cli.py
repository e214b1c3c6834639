"""Command-line tools: `flask demo`, `flask create-admin`, `flask orgunits import`,
`flask outbox send`, `flask uploads purge`, ... Each is a thin wrapper around a domain function."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from contest.domain.errors import DomainError
from contest.extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(orgunits_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(entries_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(plan_cli)
    from contest.cli_reporting import reporting_cli

    app.cli.add_command(reporting_cli)


@click.command("demo")
def demo_command():
    """Load the demo data (idempotent) and print the demo log-ins."""
    from contest.demo import load_demo

    logins = load_demo()
    db.session.commit()
    click.echo("Demo data loaded. Log in at http://127.0.0.1:5000/login with:")
    for role, email, password in logins:
        click.echo(f"  {role:<14} {email:<32} {password}")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Quản trị viên", show_default=True)
@click.option("--password", default=None, help="Asked for when not given.")
def create_admin_command(email, name, password):
    """Create an administrator account (or promote an existing one)."""
    from contest.domain.accounts import create_admin

    if password is None:
        password = getpass.getpass("Password (empty: generate one): ") or secrets.token_urlsafe(12)
        click.echo(f"Password: {password}")
    try:
        user = create_admin(email, password, name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} is ready.")


orgunits_cli = AppGroup("orgunits", help="Organising units.")


@orgunits_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def orgunits_import(file: Path):
    """Create or update units from a CSV (code,name,kind,parent_code,valid_from,valid_to
    [,successor_code][,successor_of]); successor_of lists predecessors separated by ";"."""
    from contest.domain.orgunits import import_csv

    _import_units(import_csv, file.read_text(encoding="utf-8-sig"))


@orgunits_cli.command("load-reference")
def orgunits_load_reference():
    """Load the units shipped with the application: Quảng Ngãi 2020, then the new province from 1 July 2025."""
    from contest.domain.orgunits import REFERENCE_FILES, import_csv

    for path in REFERENCE_FILES:
        click.echo(f"{path.name}: ", nl=False)
        _import_units(import_csv, path.read_text(encoding="utf-8-sig"))


def _import_units(import_csv, text: str) -> None:
    report = import_csv(text)
    if report.errors:
        db.session.rollback()
        for line in report.errors:
            click.echo(line, err=True)
        raise click.ClickException("nothing imported")
    db.session.commit()
    click.echo(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"successions added {report.links_added}"
    )


outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Send what is due and stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def outbox_send(once: bool, interval: float):
    """Deliver queued mail; runs until stopped. Several may run at once."""
    from contest.domain.outbox import send_due

    while True:
        report = send_due()
        if report.sent or report.failed or report.gave_up:
            click.echo(f"sent {report.sent}, will retry {report.failed}, gave up {report.gave_up}")
        db.session.remove()
        if once:
            return
        time.sleep(interval)


uploads_cli = AppGroup("uploads", help="Uploaded files.")


@uploads_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep files replaced fewer days ago than this; default UPLOAD_RETENTION_DAYS.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
def uploads_purge(days: int | None, dry_run: bool):
    """Delete the contents of attachments replaced or removed more than the retention
    period ago; their records (name, size, SHA-256) stay. Run daily from cron or a timer."""
    from contest.domain.attachments import purge_expired_files, retention_days

    days = retention_days() if days is None else days
    report = purge_expired_files(days, dry_run=dry_run)
    size = f"{report.bytes / 2**20:.1f} MB"
    if dry_run:
        click.echo(
            f"would purge {report.files} files ({size}) of {report.entries} entries replaced more than {days} days ago"
        )
    else:
        click.echo(
            f"purged {report.files} files ({size}) of {report.entries} entries replaced more than "
            f"{days} days ago; {report.deleted} stored files deleted"
        )


entries_cli = AppGroup("entries", help="Entries of a competition.")


@entries_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write; default ho-so-SLUG.FORMAT in the current folder.",
)
def entries_export(slug: str, fmt: str, out: Path | None):
    """Export a competition's entries as the secretariat sees them."""
    from contest.domain.competitions import find_by_slug
    from contest.domain.entry_list import EXPORT_HEADERS, EntryFilter, export_rows, list_entries
    from contest.domain.exports import to_csv, to_xlsx

    competition = find_by_slug(slug)
    if competition is None:
        raise click.ClickException(f"no competition with slug {slug!r}")
    rows = export_rows(list_entries(competition, EntryFilter()))
    data = to_csv(EXPORT_HEADERS, rows) if fmt == "csv" else to_xlsx([("Hồ sơ dự thi", EXPORT_HEADERS, rows)])
    out = out or Path(f"ho-so-{slug}.{fmt}")
    out.write_bytes(data)
    click.echo(f"{len(rows)} entries written to {out}")


certificates_cli = AppGroup("certificates", help="Certificates (giấy chứng nhận).")


@certificates_cli.command("generate")
@click.argument("slug")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the files.")
@click.option("--date", "issued_on", default=None, help="Date printed on them (YYYY-MM-DD); today by default.")
def certificates_generate(slug, out_dir, issued_on):
    """Issue the missing certificates of a competition and write them all: one merged PDF and a ZIP."""
    from datetime import date
    from pathlib import Path

    from flask import current_app

    from contest.domain import certificates
    from contest.domain.competitions import find_by_slug
    from contest.storage import get_storage

    competition = find_by_slug(slug)
    if competition is None:
        raise click.ClickException(f"No competition {slug!r}.")
    current_app.config["CERTIFICATE_BATCH_IN_THREAD"] = False
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        batch = certificates.start_batch(
            competition, date.fromisoformat(issued_on) if issued_on else date.today(), None
        )
        db.session.commit()  # the certificates issued and the batch; rendering commits its own progress
        batch = certificates.run_batch(batch.id)
    if batch.error:
        raise click.ClickException(batch.error)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"giay-chung-nhan-{slug}.pdf").write_bytes(get_storage().read(batch.merged_key))
    (out / f"giay-chung-nhan-{slug}.zip").write_bytes(get_storage().read(batch.zip_key))
    click.echo(f"{batch.total} certificates written to {out}")


report_cli = AppGroup("report", help="Reports of the startup ecosystem.")
plan_cli = AppGroup("plan", help="The province's plan and its targets.")


@plan_cli.command("load")
def plan_load():
    """Load Decision 827/QĐ-UBND: its tasks (contest/data/plan_tasks_827.json) and its targets
    (six for 2022–2025, four for 2026–2030); idempotent."""
    from contest.domain import reporting_cycle
    from contest.domain.indicators import ensure_plan, targets
    from contest.extensions import db

    plan = ensure_plan()
    reporting_cycle.load_plan()
    db.session.commit()
    click.echo(f"Plan {plan.number} ({plan.start_year}–{plan.end_year}), {len(plan.tasks)} tasks; targets:")
    for t in targets(plan):
        click.echo(f"  {t.start_year}–{t.end_year}  {t.indicator:<26} {t.low}–{t.high}")


@report_cli.command("yearly")
@click.option("--year", type=int, required=True, help="The year reported on.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Count facts up to this day (default 31/12 of the year).",
)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default="xlsx", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write; default bao-cao-nam-YEAR.FORMAT in the current folder.",
)
@click.option("--locale", default="vi", show_default=True, help="Language of the report (vi or en).")
def report_yearly(year: int, fmt: str, out: Path | None, locale: str, as_of=None):
    """The yearly report on every competition: the same file as the reports page gives."""
    from flask import current_app
    from flask_babel import force_locale

    from contest.domain import yearly_report

    with current_app.test_request_context(), force_locale(locale):
        report = yearly_report.build(
            year, None, current_app.config["REPORT_ORGANISATION"], as_of=as_of.date() if as_of else None
        )
        if fmt == "xlsx":
            from contest.reports.xlsx import write_xlsx

            data = write_xlsx(report)
        else:
            from contest.reports.pdf import write_pdf

            data = write_pdf(report)
    out = out or Path(f"bao-cao-nam-{year}.{fmt}")
    out.write_bytes(data)
    click.echo(f"{len(report.competitions)} competitions of {year} reported in {out}")


MIN_PASSPHRASE = 12

_passphrase_options = [
    click.option(
        "--passphrase-env",
        default="BACKUP_PASSPHRASE",
        show_default=True,
        metavar="NAME",
        help="Environment variable holding the passphrase.",
    ),
    click.option(
        "--key-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="File holding the passphrase (its first line), instead of the environment variable.",
    ),
]


def _with_passphrase_options(command):
    for option in reversed(_passphrase_options):
        command = option(command)
    return command


def _passphrase(env_name: str, key_file: Path | None, *, confirm: bool) -> str:
    """From --key-file, else the environment variable, else asked for on a terminal."""
    if key_file is not None:
        lines = key_file.read_text(encoding="utf-8").splitlines()
        value = lines[0] if lines else ""
        source = str(key_file)
    elif os.environ.get(env_name):
        value, source = os.environ[env_name], env_name
    elif sys.stdin.isatty():
        value = click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
        source = "the prompt"
    else:
        raise click.ClickException(f"give the passphrase in the environment variable {env_name} or with --key-file")
    if not value:
        raise click.ClickException(f"the passphrase from {source} is empty")
    return value


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive to write; default backup-YYYYMMDD-HHMMSS.tar.gz in the current folder (.tar.gz.age when encrypted).",
)
@click.option("--encrypt", is_flag=True, help="Encrypt the archive with a passphrase (age format).")
@_with_passphrase_options
def backup_command(out: Path | None, encrypt: bool, passphrase_env: str, key_file: Path | None):
    """Back up the database contents and uploaded files into one archive,
    readable by its owner only. Bodies of mail that could open an account are
    left out (docs/deploy.md, Backups)."""
    from flask import current_app

    from contest.backup import backup
    from contest.extensions import db
    from contest.models.base import utcnow
    from contest.storage import get_storage

    passphrase = None
    if encrypt:
        passphrase = _passphrase(passphrase_env, key_file, confirm=True)
        if len(passphrase) < MIN_PASSPHRASE:
            raise click.ClickException(f"the passphrase must be at least {MIN_PASSPHRASE} characters long")
    out = out or Path(f"backup-{utcnow():%Y%m%d-%H%M%S}.tar.gz" + (".age" if encrypt else ""))
    # One repeatable-read snapshot on PostgreSQL: every table as of the same moment.
    options = {"isolation_level": "REPEATABLE READ"} if db.engine.dialect.name == "postgresql" else {}
    with db.engine.connect().execution_options(**options) as conn:
        manifest = backup(
            conn, get_storage(), out, passphrase=passphrase, work_factor=current_app.config["BACKUP_SCRYPT_WORK_FACTOR"]
        )
    click.echo(
        f"{sum(manifest['tables'].values())} rows and {manifest['files']} files "
        f"(schema {manifest['revision']}) written to {out}" + (", encrypted" if encrypt else "")
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_with_passphrase_options
def restore_command(archive: Path, passphrase_env: str, key_file: Path | None):
    """Restore a backup into an empty database migrated to the backup's
    revision. An encrypted backup needs the passphrase it was made with."""
    from contest.backup import BackupError, is_encrypted, restore
    from contest.extensions import db
    from contest.storage import get_storage

    try:
        passphrase = _passphrase(passphrase_env, key_file, confirm=False) if is_encrypted(archive) else None
        with db.engine.begin() as conn:
            manifest = restore(conn, get_storage(), archive, passphrase=passphrase)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    from contest import cache

    cache.clear()  # nothing kept from the database this one replaces (with Redis: shared by every process)
    click.echo(f"{sum(manifest['tables'].values())} rows and {manifest['files']} files restored from {archive}")
