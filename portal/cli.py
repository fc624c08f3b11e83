"""The `portal` command group (a Flask CLI group; `portal --help` lists every command)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from portal import create_app, migrate
from portal.core.accounts import create_confirmed_user
from portal.core.errors import PasswordRejected
from portal.core.ingest import AGENCIES, create_api_client, pending_rejections
from portal.core.models import ROLES
from portal.db import get_session


def _database_url() -> str:
    return current_app.config["PORTAL_SETTINGS"].database_url


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """Immigration case transparency portal."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    migrate.upgrade(_database_url(), revision)
    click.echo("database is up to date")


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    migrate.check(_database_url())
    click.echo("no drift between models and migrations")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    migrate.revision(_database_url(), message)


@main.group("api-client")
def api_client() -> None:
    """Agency systems allowed to use the ingest API."""


@api_client.command("create")
@click.option("--agency", required=True, type=click.Choice(AGENCIES))
@click.option("--name", default=None, help="A label for operators, e.g. the system's name.")
@with_appcontext
def api_client_create(agency: str, name: str | None) -> None:
    """Create a client and print its bearer token (shown once, stored hashed)."""
    client, token = create_api_client(get_session(), agency, name or f"{agency} client")
    click.echo(f"client {client.id} for {agency}; token (shown once, keep it secret):")
    click.echo(token)


@main.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--email", required=True)
@click.option("--language", default="en", show_default=True)
@with_appcontext
def user_create(role: str, email: str, language: str) -> None:
    """Create a confirmed account; the password comes from PORTAL_PASSWORD or a prompt."""
    password = os.environ.get("PORTAL_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        account = create_confirmed_user(get_session(), email, password, role,
                                        current_app.extensions["portal.hasher"], datetime.now(UTC), language)
    except PasswordRejected as rejection:
        raise click.ClickException(f"password refused: {rejection.reason}") from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{role} account {account.public_id} created for {account.email}")


@main.group()
def ingest() -> None:
    """What the ingest API received."""


@ingest.command("rejected")
@click.option("--endpoint", default=None, help="Only this endpoint, e.g. case-events.")
@with_appcontext
def ingest_rejected(endpoint: str | None) -> None:
    """Rejected events not yet fixed by a later send, oldest first (for staff review)."""
    rows = pending_rejections(get_session(), endpoint)
    for row in rows:
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in json.loads(row.errors))
        click.echo(f"{row.received_at:%Y-%m-%d %H:%M} {row.endpoint} {row.agency} "
                   f"#{row.batch_index} {row.event_id or '-'}: {errors}")
    click.echo(f"{len(rows)} rejected event(s) awaiting a corrected send")


@main.command()
@with_appcontext
def demo() -> None:
    """Seed demo data (idempotent) and print receipt numbers to try."""
    from portal.demo import seed_demo

    summary = seed_demo(get_session(), current_app.extensions["portal.hasher"],
                        current_app.config["PORTAL_SETTINGS"].instance_dir / "request_files")
    click.echo(summary.describe())


@main.command("bench-data")
@click.option("--cases", default=1_000_000, show_default=True,
              help="Bench cases wanted in all; those already written are kept, the rest added.")
@click.option("--events", default=0, show_default=True, help="Access events wanted in all.")
@click.option("--events-per-applicant", default=5_000, show_default=True,
              help="Access events per bench applicant (account, case, A-number, link).")
@click.option("--seed", default=2026, show_default=True)
@with_appcontext
def bench_data(cases: int, events: int, events_per_applicant: int, seed: int) -> None:
    """Write a large deterministic data set with bulk inserts (for bench/); a second run with the
    same arguments writes nothing, and an interrupted one resumes."""
    import secrets
    import time

    from portal.benchdata import bench_cases_present, write_bench_access_events, write_bench_cases

    if events_per_applicant < 1:
        raise click.BadParameter("must be at least 1", param_hint="--events-per-applicant")
    engine = current_app.extensions["portal.engine"]
    have = bench_cases_present(engine)
    if have < cases:
        written = write_bench_cases(engine, cases - have, seed, start=have)
        click.echo(f"{written.cases} cases and {written.events} case events written")
    else:
        click.echo(f"{have} bench cases already there")
    if events:
        started = time.perf_counter()

        def progress(done: int) -> None:
            elapsed = time.perf_counter() - started
            click.echo(f"  {done:,} access events in {elapsed:.0f} s ({done / elapsed:,.0f}/s)", err=True)

        # One hash for every bench account, of a password nobody knows: benchmarks sign in by
        # making sessions (bench/access_log.py), never with a password.
        password_hash = current_app.extensions["portal.hasher"].hash(secrets.token_urlsafe(24))
        result = write_bench_access_events(engine, events, events_per_applicant, seed, password_hash,
                                           progress)
        click.echo(f"{result.applicants} bench applicants: {result.already} already there, "
                   f"{result.events} access events written in {time.perf_counter() - started:.0f} s")


@main.command()
@click.option("--workers", default=2, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(workers: int, host: str) -> None:
    """Serve with gunicorn and run the job worker beside it (PORT sets the port, default 5000)."""
    port = os.environ.get("PORT", "5000")
    bin_dir = os.path.dirname(sys.executable)
    processes = [
        subprocess.Popen([
            os.path.join(bin_dir, "gunicorn"), "--bind", f"{host}:{port}",
            "--workers", str(workers), "--access-logfile", "-",
            "--access-logformat", '{"time":"%(t)s","method":"%(m)s","path":"%(U)s","status":%(s)s,"ms":%(M)s}',
            "portal.wsgi:app",
        ]),
        subprocess.Popen([os.path.join(bin_dir, "huey_consumer"), "portal.jobs.huey", "-w", "1"]),
    ]

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(process.poll() is None for process in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for process in processes:
            process.wait()
