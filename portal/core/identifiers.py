"""Receipt numbers and A-numbers: what users type, normalized, then validated.

Receipt numbers are 13 characters, 3 letters + 10 digits (e.g. EAC2190000001); users type them
with spaces, dashes, lower case or full-width digits, so normalize first, then validate.
A-numbers are "A" + 8 or 9 digits, stored as 9 digits, zero-padded.
"""

from __future__ import annotations

import re
import unicodedata

from portal.core.errors import InvalidANumber, InvalidReceiptNumber

RECEIPT_NUMBER_RE = re.compile(r"[A-Z]{3}[0-9]{10}")
A_NUMBER_RE = re.compile(r"A?([0-9]{8,9})")
RECEIPT_NUMBER_EXAMPLE = "IOE0912345678"

# Spaces of every kind and every dash-like character users paste from documents.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D_.]+")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _clean(raw: str) -> str:
    # NFKC turns full-width letters and digits (common on CJK keyboards) into ASCII. Upper-casing
    # is ASCII-only so that e.g. "ß" cannot turn into "SS" and pass as two letters.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).translate(_ASCII_UPPER)


def normalize_receipt_number(raw: str) -> str:
    """The canonical 13-character form, or InvalidReceiptNumber."""
    candidate = _clean(raw or "")
    if not RECEIPT_NUMBER_RE.fullmatch(candidate):
        raise InvalidReceiptNumber(raw)
    return candidate


def is_receipt_number(value: str) -> bool:
    """True when value is already canonical (what the ingest API requires)."""
    return bool(RECEIPT_NUMBER_RE.fullmatch(value))


def normalize_a_number(raw: str) -> str:
    """Nine digits, zero-padded ("A12345678" -> "012345678"), or InvalidANumber."""
    match = A_NUMBER_RE.fullmatch(_clean(raw or ""))
    if not match:
        raise InvalidANumber(raw)
    return match.group(1).zfill(9)


def format_a_number(stored: str) -> str:
    return f"A{stored}"
