import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core.errors import InvalidANumber, InvalidReceiptNumber
from portal.core.identifiers import normalize_a_number, normalize_receipt_number

receipts = st.from_regex(r"[A-Z]{3}[0-9]{10}", fullmatch=True)
separators = st.sampled_from([" ", "-", "  ", "\u2013", "\u00a0", "\t", "."])


@given(receipts, st.lists(st.tuples(st.integers(0, 13), separators), max_size=5), st.booleans())
def test_typed_variants_normalize_to_the_canonical_number(receipt, insertions, lower):
    typed = receipt.lower() if lower else receipt
    for position, separator in sorted(insertions, reverse=True):
        typed = typed[:position] + separator + typed[position:]
    assert normalize_receipt_number(typed) == receipt


@given(st.text(max_size=30))
def test_normalization_either_gives_a_valid_number_or_refuses(text):
    try:
        result = normalize_receipt_number(text)
    except InvalidReceiptNumber:
        return
    assert re.fullmatch(r"[A-Z]{3}[0-9]{10}", result)


@given(receipts)
def test_normalization_is_idempotent(receipt):
    assert normalize_receipt_number(normalize_receipt_number(receipt)) == receipt


@given(st.text(alphabet=string.ascii_letters + string.digits, max_size=20).filter(
    lambda s: not re.fullmatch(r"[A-Za-z]{3}[0-9]{10}", s)))
def test_wrong_shapes_are_refused(text):
    with pytest.raises(InvalidReceiptNumber):
        normalize_receipt_number(text)


def test_full_width_digits_from_cjk_keyboards_are_accepted():
    assert normalize_receipt_number("ＩＯＥ０９１２３４５６７８") == "IOE0912345678"


def test_non_ascii_letters_cannot_pass_as_receipt_letters():
    # "ß".upper() is "SS": ASCII-only upper-casing keeps it from making up two letters.
    with pytest.raises(InvalidReceiptNumber):
        normalize_receipt_number("ßA1234567890")


@given(st.integers(10_000_000, 999_999_999), st.booleans())
def test_a_numbers_are_stored_as_nine_digits(number, with_prefix):
    typed = f"{'A' if with_prefix else ''}{number}"
    assert normalize_a_number(typed) == f"{number:09d}"


@pytest.mark.parametrize("typed", ["A1234567", "A1234567890", "B12345678", "", "A-12"])
def test_malformed_a_numbers_are_refused(typed):
    with pytest.raises(InvalidANumber):
        normalize_a_number(typed)
