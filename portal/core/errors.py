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
