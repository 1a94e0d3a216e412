"""An organization's service locations: MassHealth enrolls, numbers (PID/SL) and grants POSC access per provider ID
and service location, and the enrollment wizard asks for "details of all physical practice locations" (the
enrollment guide). Location A is the registration's practice address; more are added, each with its own address,
and closed, never reused.

What is per location beyond its address (its enrollment, its primary user) is not modelled yet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from domain.address import Address
from domain.base import check_text
from domain.errors import InvalidValue, RuleViolation

MAIN = "A"  # the registration's practice address
_CODE = re.compile(r"[B-Z]")


@dataclass(frozen=True)
class ServiceLocation:
    code: str  # one capital letter: the SL of PID/SL
    name: str
    address: Address
    opened_on: date
    closed_on: date | None = None


class ServiceLocationCommands:
    """Mixed into Organization, whose state (set by its event methods) these read."""

    if TYPE_CHECKING:
        registered_on: date
        practice_address: Address
        legal_name: str
        service_locations: dict[str, ServiceLocation]

        def _service_location_added(
            self, code: str, name: str, address: Address, on: date, actor: str, reason: str | None
        ) -> None: ...
        def _service_location_closed(self, code: str, on: date, actor: str, reason: str | None) -> None: ...

    def add_service_location(
        self, *, code: str, name: str, address: Address, on: date, actor: str, reason: str | None = None
    ) -> None:
        """Another physical practice location, from ``on``: ``code`` is its letter, B to Z (A is the practice
        address the organization registered with)."""
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise InvalidValue(
                "A service location's code is one capital letter, B to Z (A is the registered practice address).",
                field="code",
            )
        if code in self.service_locations:
            raise RuleViolation("service-location-exists", f"Service location {code} is already recorded.")
        if any(s.address.matching_key() == address.matching_key() for s in self.locations() if s.closed_on is None):
            raise RuleViolation("service-location-duplicate", "An open service location has that address already.")
        name = check_text(name, field="name")
        self._service_location_added(code=code, name=name, address=address, on=on, actor=actor, reason=reason)

    def close_service_location(self, *, code: str, on: date, actor: str, reason: str | None = None) -> None:
        location = self.service_locations.get(code)
        if location is None:
            raise RuleViolation("service-location-unknown", f"No service location {code} was added.")
        if location.closed_on is not None:
            raise RuleViolation("service-location-closed", f"Service location {code} closed on {location.closed_on}.")
        if on < location.opened_on:
            raise RuleViolation("service-location-date-order", "A service location cannot close before it opened.")
        self._service_location_closed(code=code, on=on, actor=actor, reason=reason)

    def locations(self) -> list[ServiceLocation]:
        """Every service location, A (the practice address) first, then by code."""
        main = ServiceLocation(MAIN, self.legal_name, self.practice_address, self.registered_on)
        return [main, *(self.service_locations[code] for code in sorted(self.service_locations))]
