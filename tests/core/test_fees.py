"""FOIA fees by requester category, the free allowances, the $25 floor and no fees when late."""

import pytest

from portal.core.fees import estimate


@pytest.mark.parametrize("category, search, review, pages, late, total, charged, waived", [
    # Commercial: everything. 3 h search (12 quarter hours), 1 h review, 250 pages.
    ("commercial", 12, 4, 250, False, 12 * 700 + 4 * 700 + 250 * 10, 13700, None),
    # Educational or news media: copying after 100 pages only.
    ("educational", 12, 4, 1100, False, 1000 * 10, 10000, None),  # 1,000 pages over the 100 free: $100
    ("educational", 12, 4, 300, False, 200 * 10, 0, "minimum"),  # $20: under the $25 floor
    # Everyone else: search after 2 hours, copying after 100 pages, no review.
    ("other", 12, 4, 150, False, 4 * 700 + 50 * 10, 3300, None),
    ("other", 8, 40, 100, False, 0, 0, "minimum"),
    # Late: nothing, whatever the work.
    ("commercial", 40, 40, 5000, True, 40 * 700 * 2 + 5000 * 10, 0, "late"),
])
def test_fees(category, search, review, pages, late, total, charged, waived):
    fee = estimate(category, search, review, pages, late)
    assert (fee.total, fee.charged, fee.waived) == (total, charged, waived)


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        estimate("government", 1, 1, 1, False)
    with pytest.raises(ValueError):
        estimate("other", -1, 0, 0, False)
