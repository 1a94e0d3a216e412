"""Massachusetts state business days: weekdays that are not observed legal holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue
from domain.holidays_ma import FIRST_YEAR, HOLIDAY_TABLE_VERSION, LAST_YEAR, ROWS

__all__ = [
    "HOLIDAY_TABLE_VERSION",
    "MASSACHUSETTS",
    "add_business_days",
    "business_days_between",
    "closures",
    "is_business_day",
]

# The firms' and the payers' calendar: a day (a deadline, a finding's date, "access held on D") is a day here.
MASSACHUSETTS = ZoneInfo("America/New_York")


@lru_cache(maxsize=1)
def closures() -> dict[date, str]:
    """Dates state offices are closed for a holiday (observed dates), with the holiday's name."""
    return {date.fromisoformat(observed): name for _, observed, name in ROWS if observed}


def _check_covered(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidValue(
            f"The Massachusetts holiday table covers {FIRST_YEAR}-{LAST_YEAR}; {day} is outside it.",
            field="date",
            rule="date-outside-holiday-table",
        )


def is_business_day(day: date) -> bool:
    _check_covered(day)
    return day.weekday() < 5 and day not in closures()


def add_business_days(start: date, days: int) -> date:
    """The business day ``days`` business days after ``start`` (e.g. a processing deadline)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if is_business_day(current):
            days -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when end <= start).

    Submitted on a Monday and decided on the Tuesday is one business day.
    """
    _check_covered(start)
    _check_covered(end)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
