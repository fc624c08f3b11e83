"""Background jobs (huey): SqliteHuey under instance/ by default, RedisHuey with PORTAL_REDIS_URL.

`portal serve` runs the worker beside gunicorn. Tests run tasks in-line (huey.immediate).
"""

from __future__ import annotations

from functools import cache

from huey import RedisHuey, SqliteHuey, crontab

from portal import mail
from portal.settings import Settings


def _make_huey() -> SqliteHuey | RedisHuey:
    settings = Settings.from_env()
    if settings.redis_url:
        return RedisHuey("portal", url=settings.redis_url)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(settings.instance_dir / "jobs.db"))


huey = _make_huey()


@huey.task(retries=5, retry_delay=60)
def send_mail(raw_message: bytes, smtp_url: str | None, outbox: str) -> None:
    """Deliver one prepared message; retried when the mail server is unreachable."""
    mail.deliver(raw_message, smtp_url, outbox)


@cache
def _app():
    from portal.app import create_app  # the worker builds the app once, when a job first needs it

    return create_app()


@huey.periodic_task(crontab(minute="15"))
def send_access_digests() -> int:
    """Hourly: queue the access-log digests that are due (daily or weekly, as each person chose)."""
    from portal.web.digests import deliver_access_digests

    with _app().test_request_context("/"):
        return deliver_access_digests()


@huey.periodic_task(crontab(hour="3", minute="30"))
def refresh_statistics() -> None:
    """Daily: recount the public access statistics (too slow for a request on a large database)."""
    from datetime import UTC, datetime

    from portal.core.statistics import access_statistics
    from portal.db import get_session

    with _app().app_context():
        access_statistics(get_session(), datetime.now(UTC), refresh=True)


@huey.task()
def render_document(document_id: int, database_url: str, folder: str, archival: bool,
                    key_paths: tuple[str, str]) -> None:
    """Render, sign and store one document (portal.pdf): in a child process with limits."""
    from portal.pdf.job import run_document_job

    run_document_job(document_id, database_url, folder, archival, key_paths)


@huey.periodic_task(crontab(minute="45"))
def send_request_due_alerts() -> int:
    """Hourly: tell staff about privacy requests two working days before their due date and once
    overdue (each alert once)."""
    from portal.web.staff_requests import deliver_staff_alerts

    with _app().test_request_context("/"):
        return deliver_staff_alerts()
