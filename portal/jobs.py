"""Background jobs (huey): SqliteHuey under instance/ by default, RedisHuey with PORTAL_REDIS_URL.

`portal serve` runs the worker beside gunicorn. Tests run tasks in-line (huey.immediate).
"""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey

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
