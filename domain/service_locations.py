"""An organization's service locations: MassHealth enrolls, numbers (PID/SL) and grants POSC access per provider ID
and service location, and the enrollment wizard asks for "details of all physical practice locations" (the
enrollment guide). Location A is the registration's practice address; more are added, each with its own address,
and closed, never reused.

Each location is enrolled on its own: A with the provider number MassHealth issues on the first enrollment, each
other one on an approved enrollment application for it, under the same number; its PID/SL is the number and its
letter. Each enrolled location has its own POSC primary user (MassHealth's Primary User Policy): A's is the
organization's (named on the POSC-DC-PE, replaced through a POSC-DC-PM); another's is named here, one of the
practice's staff accounts, and replaced only on an approved POSC-DC-PM for that location."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

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
    enrolled_on: date | None = None  # MassHealth enrolled it; None: not, or its enrollment ended (disenrollment)
    primary_user_account_id: UUID | None = None  # its POSC primary user (A's is the organization's)

    @property
    def enrolled(self) -> bool:
        return self.enrolled_on is not None and self.closed_on is None

    def open_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)


class ServiceLocationCommands:
    """Mixed into Organization, whose state (set by its event methods) these read."""

    if TYPE_CHECKING:
        registered_on: date
        practice_address: Address
        legal_name: str
        service_locations: dict[str, ServiceLocation]
        provider_number: str | None
        enrolled_on: date | None
        primary_user_account_id: UUID | None
        used_modifications: list[UUID]

        @property
        def enrolled(self) -> bool: ...
        def _service_location_enrolled(
            self, code: str, application_id: UUID, on: date, actor: str, reason: str | None
        ) -> None: ...
        def _location_primary_user_named(
            self, code: str, account_id: UUID, modification_id: UUID | None, on: date, actor: str, reason: str | None
        ) -> None: ...

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

    def check_location_open(self, code: str, on: date) -> None:
        """An application for a location (its enrollment, its POSC-DC-PM) is opened while the location is open."""
        location = self.location(code)
        if not location.open_on(on):
            raise RuleViolation(
                "service-location-not-open",
                f"Service location {code} is open from {location.opened_on}"
                + (f" to {location.closed_on}" if location.closed_on else "")
                + f", not on {on}.",
            )

    def enroll_service_location(
        self,
        *,
        code: str,
        application_id: UUID,
        provider_number: str,
        on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """MassHealth approved the enrollment application for location ``code`` (B-Z) on day ``on``, under
        ``provider_number``: the organization's, which location A's enrollment got."""
        if code == MAIN:
            raise RuleViolation("service-location-main", "Location A enrolls with the provider number issued.")
        if not self.enrolled:
            raise RuleViolation(
                "not-enrolled", f"Location {code} enrolls under the provider number: enroll the practice first."
            )
        if provider_number != self.provider_number:
            raise RuleViolation(
                "provider-number-mismatch",
                f"Location {code} enrolls under the practice's provider number {self.provider_number}, "
                f"not {provider_number}.",
            )
        self.check_location_open(code, on)
        if self.location(code).enrolled:
            raise RuleViolation("service-location-enrolled", f"Service location {code} is enrolled already.")
        self._service_location_enrolled(code=code, application_id=application_id, on=on, actor=actor, reason=reason)

    def name_location_primary_user(
        self,
        *,
        code: str,
        account_id: UUID,
        modification_id: UUID | None,
        on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """The primary user of enrolled location ``code`` (B-Z): the first one freely, a successor on an approved
        POSC-DC-PM for the location (checked by the caller, domain/account_rules.py), each used once."""
        if code == MAIN:
            raise RuleViolation(
                "service-location-main",
                "Location A's primary user is the organization's: open a primary account, or replace it (POSC-DC-PM).",
            )
        location = self.location(code)
        if not location.enrolled:
            raise RuleViolation(
                "service-location-not-enrolled",
                f"Service location {code} is not enrolled: it has no PID/SL to administer.",
            )
        if location.primary_user_account_id == account_id:
            raise RuleViolation("primary-user-unchanged", "That account is already the location's primary user.")
        if location.primary_user_account_id is not None and modification_id is None:
            raise RuleViolation(
                "primary-user-exists",
                f"Location {code} has a primary user; replacing one needs an approved POSC-DC-PM.",
            )
        if modification_id is not None and modification_id in self.used_modifications:
            raise RuleViolation("modification-already-used", "That POSC-DC-PM has already been applied.")
        self._location_primary_user_named(
            code=code, account_id=account_id, modification_id=modification_id, on=on, actor=actor, reason=reason
        )

    def location(self, code: str) -> ServiceLocation:
        """Location ``code``; RuleViolation "service-location-unknown" when none was added."""
        found = next((s for s in self.locations() if s.code == code), None)
        if found is None:
            raise RuleViolation("service-location-unknown", f"No service location {code} was added.")
        return found

    def pid_sl(self, code: str) -> str | None:
        """The location's PID/SL (the provider number and its letter) while it is enrolled."""
        location = self.location(code)
        return f"{self.provider_number}{code}" if location.enrolled and self.provider_number else None

    def locations(self) -> list[ServiceLocation]:
        """Every service location, A (the practice address) first, then by code."""
        main = ServiceLocation(
            MAIN,
            self.legal_name,
            self.practice_address,
            self.registered_on,
            enrolled_on=self.enrolled_on if self.enrolled else None,
            primary_user_account_id=self.primary_user_account_id,
        )
        return [main, *(self.service_locations[code] for code in sorted(self.service_locations))]
