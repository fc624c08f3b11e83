"""Settings, read once from PORTAL_* environment variables into a frozen dataclass."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_dir: Path) -> str:
    """PORTAL_SECRET_KEY, or a key generated once into instance/ (never committed)."""
    configured = os.environ.get("PORTAL_SECRET_KEY")
    if configured:
        return configured
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    smtp_url: str | None = None
    base_url: str = "http://127.0.0.1:5000"
    secure_cookies: bool = True
    trusted_proxies: int = 0
    lookup_rate_limit: str = "20/minute"
    # The document-signing key and certificate (PEM); unset: a demo pair made in instance/signing/.
    signing_key: Path | None = None
    signing_cert: Path | None = None
    debug: bool = False
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        instance_dir = Path(os.environ.get("PORTAL_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        default_db = f"sqlite:///{instance_dir / 'portal.db'}"
        return cls(
            instance_dir=instance_dir,
            database_url=os.environ.get("PORTAL_DATABASE_URL") or default_db,
            secret_key=_secret_key(instance_dir),
            redis_url=os.environ.get("PORTAL_REDIS_URL") or None,
            smtp_url=os.environ.get("PORTAL_SMTP_URL") or None,
            base_url=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            secure_cookies=_bool(os.environ.get("PORTAL_SECURE_COOKIES"), True),
            trusted_proxies=int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0") or 0),
            lookup_rate_limit=os.environ.get("PORTAL_LOOKUP_RATE_LIMIT") or "20/minute",
            signing_key=Path(os.environ["PORTAL_SIGNING_KEY"]) if os.environ.get("PORTAL_SIGNING_KEY") else None,
            signing_cert=Path(os.environ["PORTAL_SIGNING_CERT"]) if os.environ.get("PORTAL_SIGNING_CERT") else None,
            debug=_bool(os.environ.get("PORTAL_DEBUG"), False),
        )

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)
