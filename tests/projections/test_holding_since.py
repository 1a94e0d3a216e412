"""The start of an account's unbroken access, from its grant periods (projections/access_audit/rows.py): the same
answer whatever order the periods' days were recorded in."""

from __future__ import annotations

from datetime import date
from itertools import permutations
from uuid import uuid4

import pytest

from projections.access_audit.rows import GrantRow, holding_since

ACCOUNT, ORG = uuid4(), uuid4()


def _period(function: str, start: int, end: int | None) -> GrantRow:
    return GrantRow(
        tenant_id="t",
        organization_id=ORG,
        account_id=ACCOUNT,
        function=function,
        granted_version=start,
        granted_on=date(2026, 1, start),
        ended_on=date(2026, 1, end) if end is not None else None,
    )


@pytest.mark.parametrize(
    ("periods", "since"),
    [
        # Held from the 12th: the first function revoked on the 29th, the second held since the 15th.
        ([("a", 12, 29), ("b", 15, None)], 12),
        # A gap (the first ended on the 4th, the next began on the 6th): the holding starts again.
        ([("a", 1, 4), ("b", 6, None)], 6),
        # A chain of overlaps back to the 1st, the last day of one being the first of the next.
        ([("a", 1, 3), ("b", 3, 9), ("c", 9, None), ("d", 20, None)], 1),
        ([("a", 1, 3)], None),  # nothing held
    ],
)
def test_an_unbroken_holding_starts_where_no_earlier_period_covers_it(
    periods: list[tuple[str, int, int | None]], since: int | None
) -> None:
    expected = date(2026, 1, since) if since is not None else None
    for order in permutations(periods):
        assert holding_since([_period(*p) for p in order]) == expected
