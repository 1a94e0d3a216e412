"""Cursors: every sort of every view pages through its own cursors, and an edited cursor is the client's error."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from litestar.exceptions import ValidationException

from projections.access_audit import queries as access_audit
from projections.affiliation_status import queries as affiliation_status
from projections.turnaround import sql as turnaround_sql
from services.api.paging import Keyset

SORTS = {
    "access_audit": access_audit.SORTABLE,
    "affiliation_status": affiliation_status.SORTABLE,
    "turnaround_applications": turnaround_sql.APPLICATION_SORTS,
    "turnaround_metrics": turnaround_sql.METRIC_SORTS,
}
# A value of each column type as the view's query returns it, and one that is not of that type.
SAMPLES: dict[str, tuple[Any, Any]] = {
    "text": ("Berkshire Family Health", None),
    "timestamptz": (datetime(2026, 4, 28, 21, 30, tzinfo=UTC), "2026-04-28T21:30:00"),  # no offset
    "date": (date(2026, 4, 28), "2026-04-31"),
    "integer": (7, "2147483648"),  # one past int4
    "float8": (5.5, "five and a half"),
}
CASES = [(view, name, column, cast) for view, sorts in SORTS.items() for name, (column, cast) in sorts.items()]


def _cursor(sort: str, value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([sort, value, str(uuid4())]).encode()).decode()


@pytest.mark.parametrize(("view", "name", "column", "cast"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_a_cursor_the_api_made_is_accepted_and_an_edited_one_refused(view: str, name: str, column: str, cast: str):
    good, bad = SAMPLES[cast]
    for sort in (name, f"-{name}"):
        keyset = Keyset.parse(sort, None, SORTS[view], "id")
        rows = [{column: good, "id": uuid4()}, {column: good, "id": uuid4()}]
        parsed = Keyset.parse(sort, keyset.next_cursor(rows, 1), SORTS[view], "id")
        assert parsed.after == (good.isoformat() if hasattr(good, "isoformat") else str(good), rows[0]["id"])
        if bad is not None:
            with pytest.raises(ValidationException):
                Keyset.parse(sort, _cursor(sort, bad), SORTS[view], "id")
