"""Background jobs (huey): SqliteHuey under instance/ by default, RedisHuey with PORTAL_REDIS_URL.

The worker runs beside gunicorn (`portal serve`); tasks are registered by the modules that need
them (e-mail alerts and PDF rendering arrive with their features).
"""

from __future__ import annotations

from functools import cache

from huey import RedisHuey, SqliteHuey

from portal.settings import Settings


@cache
def get_huey() -> SqliteHuey | RedisHuey:
    settings = Settings.from_env()
    if settings.redis_url:
        return RedisHuey("portal", url=settings.redis_url)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(settings.instance_dir / "jobs.db"))


huey = get_huey()

