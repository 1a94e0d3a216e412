"""Service locations (DESIGN §1: MassHealth enrolls, numbers and grants POSC access per provider ID and service
location; the enrollment guide: "details of all physical practice locations"). Location A is the practice address the
organization registered with; others are added with their own letter and address and closed, never reused."""

from __future__ import annotations

from datetime import date

import pytest

from domain.address import Address
from domain.errors import InvalidValue
from tests.domain.builders import assert_refused, register_peach

D1, D2 = date(2026, 3, 2), date(2026, 6, 1)
WORCESTER = Address.parse("20 Front St", "Worcester", "MA", "01608", field="address")


def test_locations_are_added_and_closed_under_their_letter() -> None:
    org = register_peach()
    assert [(s.code, s.address) for s in org.locations()] == [("A", org.practice_address)]
    org.add_service_location(code="B", name="Worcester office", address=WORCESTER, on=D1, actor="u")
    org.collect_events()
    again = dict(name="Second", address=WORCESTER, on=D1, actor="u")
    assert_refused(org, lambda: org.add_service_location(code="B", **again), "service-location-exists")
    assert_refused(org, lambda: org.add_service_location(code="C", **again), "service-location-duplicate")
    assert_refused(org, lambda: org.close_service_location(code="C", on=D2, actor="u"), "service-location-unknown")
    assert_refused(org, lambda: org.close_service_location(code="B", on=date(2026, 2, 2), actor="u"),
                   "service-location-date-order")  # fmt: skip
    org.close_service_location(code="B", on=D2, actor="u", reason="Lease ended")
    assert [(s.code, s.closed_on) for s in org.locations()] == [("A", None), ("B", D2)]
    assert_refused(org, lambda: org.close_service_location(code="B", on=D2, actor="u"), "service-location-closed")
    org.add_service_location(code="C", name="Worcester again", address=WORCESTER, on=D2, actor="u")  # B is closed


@pytest.mark.parametrize("code", ["A", "b", "BB", "1", ""])
def test_a_locations_code_is_one_capital_letter_after_a(code: str) -> None:
    org = register_peach()
    org.collect_events()
    add = dict(code=code, name="Office", address=WORCESTER, on=D1, actor="u")
    assert assert_refused(org, lambda: org.add_service_location(**add), "invalid-value", InvalidValue).field == "code"
