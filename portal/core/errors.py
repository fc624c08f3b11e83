"""Domain errors. Views turn them into translated messages; the API into field errors."""


class DomainError(Exception):
    """Base class for errors the domain raises on purpose."""


class InvalidReceiptNumber(DomainError):
    """Not 3 letters + 10 digits, even after removing spaces and dashes."""


class InvalidANumber(DomainError):
    """Not "A" + 8 or 9 digits."""


class CaseNotFound(DomainError):
    """No case the caller may see has this receipt number.

    Raised alike for unknown and protected cases (8 U.S.C. 1367), so callers cannot tell them apart.
    """


class EventRejected(DomainError):
    """An ingested event that cannot be stored; `errors` are (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


class PasswordRejected(DomainError):
    """The new password breaks a rule; `reason` is too_short, too_long, common or like_email."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LoginFailed(DomainError):
    """Unknown e-mail or wrong password: deliberately the same error for both (ASVS 6.3.8)."""


class EmailNotConfirmed(DomainError):
    """Right password, but the address was never confirmed."""


class Throttled(DomainError):
    """Too many failed attempts for this account or from this source in the last minute."""


class InvalidToken(DomainError):
    """An e-mailed link that is unknown, used, expired or for another purpose."""


class LinkFailed(DomainError):
    """Receipt number and access code do not match a case this person may link (no detail given)."""
