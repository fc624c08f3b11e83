"""Security baseline for every response: headers, CSRF, rate limits, cookie hardening (security.md)."""

from __future__ import annotations

import functools
import math
import time

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.logs import get_logger
from portal.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

csrf = CSRFProtect()
log = get_logger("security")


class RateLimiter:
    """Fixed-window limits per client address, on the views that ask for one.

    Built on the `limits` library: Redis when PORTAL_REDIS_URL is set (shared by every worker),
    else process memory. Only decorated views pay for it, so the rest of the app stays fast.
    """

    def init_app(self, app: Flask, settings: Settings) -> None:
        storage = storage_from_string(settings.redis_url or "memory://")
        app.extensions["portal.rate_limiter"] = FixedWindowRateLimiter(storage)

    def limit(self, setting: str, scope: str):
        """Decorate a view: at most app.config[setting] (e.g. "20/minute") per client."""

        def decorator(view):
            @functools.wraps(view)
            def wrapped(*args, **kwargs):
                self._hit(_parsed(current_app.config[setting]), scope)
                return view(*args, **kwargs)

            return wrapped

        return decorator

    def _hit(self, item: RateLimitItem, scope: str) -> None:
        strategy: FixedWindowRateLimiter = current_app.extensions["portal.rate_limiter"]
        client = request.remote_addr or "unknown"
        try:
            allowed = strategy.hit(item, scope, client)
        except Exception:  # a storage outage must not take the page down with it
            log.exception("rate limit storage unavailable; request allowed", extra={"scope": scope})
            return
        if not allowed:
            log.warning("rate limit reached", extra={"scope": scope})
            reset_at = strategy.get_window_stats(item, scope, client).reset_time
            raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))


@functools.lru_cache(maxsize=32)
def _parsed(value: str) -> RateLimitItem:
    return parse(value)


rate_limiter = RateLimiter()


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="__Host-session" if settings.secure_cookies else "session",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        # Flask-WTF's "SSL strict" mode wants a Referer, which Referrer-Policy: no-referrer never
        # sends: every HTTPS form would fail. The token and SameSite cookies do the work.
        WTF_CSRF_SSL_STRICT=False,
        PORTAL_LOOKUP_RATE_LIMIT=settings.lookup_rate_limit,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    _parsed(settings.lookup_rate_limit)  # a malformed limit fails at start-up, not on a page
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    csrf.init_app(app)
    rate_limiter.init_app(app, settings)
    app.after_request(_security_headers)


def _security_headers(response):
    headers = response.headers
    # One pass over what the view set (a missing-key lookup in werkzeug's Headers raises and
    # catches an exception, which on this hot path costs more than the whole list scan).
    present = {name.lower() for name, _ in headers.items()}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    if not request.path.startswith("/static/"):
        # Pages carry case data; nothing is kept by browsers or shared caches.
        if "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        response.vary.add("HX-Request")
    return response
