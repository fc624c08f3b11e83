"""FOIA fees (5 U.S.C. 552(a)(4)(A); DHS's schedule, 6 CFR 5.11), estimated before work proceeds.

Commercial requesters pay search, review and copying; educational, scientific and news-media
requesters pay copying after 100 pages; everyone else pays search after 2 hours and copying after
100 pages. Nothing is charged when the agency answers late, nor when the total is $25 or less.
Amounts are in cents; rates are DHS's professional search/review rate and its copying rate.
"""

from __future__ import annotations

from dataclasses import dataclass

SEARCH_REVIEW_CENTS_PER_QUARTER_HOUR = 700  # professional staff, per 15 minutes
COPY_CENTS_PER_PAGE = 10
FREE_PAGES = 100
FREE_SEARCH_QUARTER_HOURS = 8  # two hours
MINIMUM_CHARGED_CENTS = 2500  # $25 or less is not charged
CATEGORIES = ("commercial", "educational", "other")


@dataclass(frozen=True)
class FeeEstimate:
    search: int
    review: int
    copying: int
    total: int
    waived: str | None  # "late" | "minimum" | None

    @property
    def charged(self) -> int:
        return 0 if self.waived else self.total


def estimate(category: str, search_quarter_hours: int, review_quarter_hours: int, pages: int,
             agency_late: bool) -> FeeEstimate:
    if category not in CATEGORIES or min(search_quarter_hours, review_quarter_hours, pages) < 0:
        raise ValueError("unknown category or negative quantity")
    rate = SEARCH_REVIEW_CENTS_PER_QUARTER_HOUR
    if category == "commercial":
        search, review, copying = search_quarter_hours * rate, review_quarter_hours * rate, pages * COPY_CENTS_PER_PAGE
    elif category == "educational":
        search, review, copying = 0, 0, max(pages - FREE_PAGES, 0) * COPY_CENTS_PER_PAGE
    else:
        search = max(search_quarter_hours - FREE_SEARCH_QUARTER_HOURS, 0) * rate
        review, copying = 0, max(pages - FREE_PAGES, 0) * COPY_CENTS_PER_PAGE
    total = search + review + copying
    waived = "late" if agency_late else ("minimum" if total <= MINIMUM_CHARGED_CENTS else None)
    return FeeEstimate(search, review, copying, total, waived)
