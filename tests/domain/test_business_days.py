"""The Massachusetts business-day calendar, against published dates and the statute's rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.business_days import add_business_days, business_days_between, closures, is_business_day
from domain.errors import InvalidValue
from domain.holidays_ma import FIRST_YEAR, LAST_YEAR, ROWS

# Up to mid-2035, so adding 120 business days stays inside the table.
covered_dates = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 6, 30))


# The Commonwealth's published list for 2015 and 2016 (Trial Court, G.L. c. 4, s. 7).
@pytest.mark.parametrize(
    "closed",
    [
        "2015-01-01", "2015-01-19", "2015-02-16", "2015-04-20", "2015-05-25", "2015-09-07", "2015-10-12",
        "2015-11-11", "2015-11-26", "2015-12-25", "2016-01-01", "2016-01-18", "2016-02-15", "2016-04-18",
        "2016-05-30", "2016-07-04", "2016-09-05", "2016-10-10", "2016-11-11", "2016-11-24", "2016-12-26",
    ],
)  # fmt: skip
def test_published_closures(closed: str) -> None:
    assert not is_business_day(date.fromisoformat(closed))


def test_saturday_holiday_leaves_the_friday_open() -> None:
    assert date(2015, 7, 4).weekday() == 5
    assert is_business_day(date(2015, 7, 3))
    assert date(2026, 7, 4).weekday() == 5  # federal offices close Fri Jul 3 2026; the state's stay open
    assert is_business_day(date(2026, 7, 3))
    assert is_business_day(date(2026, 7, 6))


def test_sunday_holiday_moves_to_monday() -> None:
    assert not is_business_day(date(2016, 12, 26))  # Christmas 2016 was a Sunday
    assert not is_business_day(date(2017, 1, 2))  # New Year's Day 2017 was a Sunday
    assert not is_business_day(date(2022, 6, 20))  # Juneteenth 2022 was a Sunday


@pytest.mark.parametrize(("year", "day"), [(2015, 20), (2019, 15), (2024, 15), (2025, 21), (2026, 20), (2035, 16)])
def test_patriots_day_is_the_third_monday_of_april(year: int, day: int) -> None:
    assert not is_business_day(date(year, 4, day))
    assert closures()[date(year, 4, day)] == "Patriots' Day"


def test_juneteenth_from_2021() -> None:
    assert is_business_day(date(2020, 6, 19))  # before St. 2020, c. 125 took effect
    assert is_business_day(date(2021, 6, 18))  # June 19, 2021 was a Saturday
    assert not is_business_day(date(2023, 6, 19))
    assert not is_business_day(date(2026, 6, 19))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_YEAR + 1))
def test_table_matches_the_statute_rules(year: int) -> None:
    """An independent derivation of every year's legal dates from M.G.L. c. 4, s. 7."""
    may_31 = date(year, 5, 31)
    legal = {
        date(year, 1, 1),
        _nth_weekday(year, 1, 0, 3),
        _nth_weekday(year, 2, 0, 3),
        _nth_weekday(year, 4, 0, 3),
        may_31 - timedelta(days=may_31.weekday()),
        date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 10, 0, 2),
        date(year, 11, 11),
        _nth_weekday(year, 11, 3, 4),
        date(year, 12, 25),
    } | ({date(year, 6, 19)} if year >= 2021 else set())
    rows = [r for r in ROWS if r[0].startswith(str(year))]
    assert {date.fromisoformat(r[0]) for r in rows} == legal
    for legal_date, observed, _ in rows:
        d = date.fromisoformat(legal_date)
        expected = {5: None, 6: d + timedelta(days=1)}.get(d.weekday(), d)
        assert (date.fromisoformat(observed) if observed else None) == expected


def test_business_days_in_2026() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    # 261 weekdays, less 11 weekday closures (July 4 falls on a Saturday).
    assert sum(map(is_business_day, days)) == 250


def test_counting_across_patriots_day_and_juneteenth() -> None:
    assert business_days_between(date(2024, 4, 12), date(2024, 4, 16)) == 1  # Fri -> Tue over Patriots' Day
    assert business_days_between(date(2026, 6, 18), date(2026, 6, 22)) == 1  # Thu -> Mon over Juneteenth
    assert add_business_days(date(2026, 6, 10), 7) == date(2026, 6, 22)  # POSC's 7 business days
    assert business_days_between(date(2026, 5, 1), date(2026, 5, 1)) == 0
    assert business_days_between(date(2026, 5, 4), date(2026, 5, 1)) == 0


def test_dates_outside_the_table_are_refused() -> None:
    with pytest.raises(InvalidValue) as error:
        is_business_day(date(2036, 1, 2))
    assert error.value.rule == "date-outside-holiday-table"
    with pytest.raises(InvalidValue):
        business_days_between(date(2014, 12, 31), date(2015, 1, 5))


@given(covered_dates, st.integers(min_value=0, max_value=120))
def test_adding_then_counting_round_trips(start: date, days: int) -> None:
    end = add_business_days(start, days)
    assert business_days_between(start, end) == days
    assert days == 0 or is_business_day(end)


@given(covered_dates, covered_dates, covered_dates)
def test_counting_is_additive(a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    assert business_days_between(a, b) + business_days_between(b, c) == business_days_between(a, c)
