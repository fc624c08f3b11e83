"""Translated messages for domain errors, in one place for every view."""

from flask_babel import lazy_gettext as _l


def N_(message: str) -> str:  # noqa: N802 (Babel's default keyword: marks a msgid, translated later)
    return message


PASSWORD_REJECTED = {
    "too_short": _l("Use at least 8 characters. A few words together make a strong password."),
    "too_long": _l("Use at most 256 characters."),
    "common": _l("This password is too common and easy to guess. Choose another."),
    "like_email": _l("Do not use your e-mail address in your password."),
}
