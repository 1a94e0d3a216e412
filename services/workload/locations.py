"""The workload's second offices (service location B): opened, now and then closed; most of the others enrolled
with MassHealth under the practice's provider number once it has one (their own PID/SL, through an enrollment
application for the location), and given a primary user, which some practices never get round to (the access
audit's "no primary user" for the location). All drawn from the practice's location stream, so the rest of its
life is drawn as before."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from domain.address import Address
from domain.application import REQUIRED_DOCUMENTS, ApplicationKind
from domain.dossier import DocumentType
from services.app import Credledger
from services.workload import data
from services.workload.lifecycle import App, Lifecycle

_LOCATION_DOCUMENTS = sorted(REQUIRED_DOCUMENTS[ApplicationKind.ENROLLMENT])  # a fixed order: the plan is seeded


class Locations(Lifecycle):
    if TYPE_CHECKING:  # the practice's (practice.py, people.py)
        address: Address
        risk: str

        @property
        def nppes_ok(self) -> bool: ...
        def primary_usable(self, day: date) -> bool: ...

    def plan_offices(self, day: date, group: bool) -> None:
        """A group's or facility's second office, a quarter of them; the demo's unadministered one early."""
        if group and self.location_rng.random() < 0.25:
            self.at(self.cal.add(day, self.location_rng.randint(0, 200)), self.add_location)
        elif self.t.office_unadministered:
            self.at(self.cal.add(day, 1), self.add_location)

    def add_location(self, day: date) -> None:
        """Another physical practice location (service location B): closed again some months later, or enrolled."""
        address = data.address(self.location_rng)
        if address.matching_key() == self.address.matching_key():
            return
        town = address.city.title()
        self.emit(
            day,
            Credledger.add_service_location,
            self.org,
            code="B",
            name=f"{town} office",
            address=data.address_in(address),
            reason="The practice opened a second office",
        )
        draw = self.location_rng.random()
        if draw < 0.1 and not self.t.office_unadministered:
            self.at(self.cal.add(day, self.location_rng.randint(60, 300)), self.close_location)
        elif (draw < 0.8 or self.t.office_unadministered) and self.t.enrollment == "approved" and not self.t.excluded:
            self.at(self.cal.add(day, self.location_rng.randint(5, 30)), self.location_enrollment_open)

    def close_location(self, day: date) -> None:
        self.emit(day, Credledger.close_service_location, self.org, "B", reason="The second office closed")

    def _location_later(self, day: date, low: int, high: int) -> date:
        return self.cal.add(day, self.location_rng.randint(low, high))

    def location_enrollment_open(self, day: date) -> None:
        """Location B's enrollment, filed once the practice's own is under way: MassHealth approves it under the
        provider number, so not before the practice's (location_enrolled waits for it)."""
        if self.enrollment is None and self.enrolled_on is None:
            self.at(self._location_later(day, 15, 30), self.location_enrollment_open)
            return
        app = App(self.firm.ref("application"), "enrollment")
        self.emit(
            day,
            Credledger.open_application,
            creates=app.ref,
            organization_id=self.org,
            kind="enrollment",
            channel="portal",
            service_location="B",
            reason="Enrollment of the second office (its own PID/SL)",
        )
        for number, doc_type in enumerate(_LOCATION_DOCUMENTS, 1):
            extra: dict[str, object] = {}
            if doc_type in (DocumentType.LICENSE, DocumentType.LIABILITY_COI):
                extra["expires_on"] = day + timedelta(days=self.location_rng.randrange(365, 800))
            if doc_type is DocumentType.LIABILITY_COI:
                extra.update(per_occurrence_limit=1_000_000, aggregate_limit=3_000_000)
            self.emit(
                day,
                Credledger.attach_document,
                app.ref,
                document_id=f"b-{doc_type.value.replace('_', '-')}-{number}",
                type=doc_type,
                received_on=day,
                supersedes=None,
                **extra,
            )
            app.docs[str(number)] = doc_type
        self.at(self._location_later(day, 2, 10), self.location_enrollment_submit, app)

    def location_enrollment_submit(self, day: date, app: App) -> None:
        if not self.nppes_ok or self.confirmed:
            self.at(self._location_later(day, 5, 10), self.location_enrollment_submit, app)
            return
        self.submit(day, app, "Second office submitted through the POSC enrollment wizard")
        screenings = ["exclusion_lists"] + (["fingerprint_cori", "site_visit"] if self.risk != "limited" else [])
        for screening in screenings:
            self.at(self._location_later(day, 3, 25), self.location_screened, app, screening)
        self.at(self._location_later(day, 45, 60), self.location_enrolled, app, len(screenings))  # as the practice's

    def location_screened(self, day: date, app: App, screening: str) -> None:
        if screening == "exclusion_lists" and self.suspected:  # passed once the suspected matches are reviewed
            self.at(self.cal.add(day, 3), self.location_screened, app, screening)
            return
        self.emit(
            day, Credledger.record_application_screening, app.ref, screening=screening, passed=True, completed_on=day
        )
        app.screened += 1

    def location_enrolled(self, day: date, app: App, screenings: int) -> None:
        waiting = self.enrolled_on is None or self.enrolled_on > day or self.provider_number is None
        if app.screened < screenings or self.confirmed or waiting:
            self.at(self._location_later(day, 5, 10), self.location_enrolled, app, screenings)
            return
        self.approve(day, app, "Approval letter for the second office", provider_number=self.provider_number)
        named = self.location_rng.random() < 0.8
        if named and not self.t.office_unadministered:  # the others never name one: no primary user for the PID/SL
            self.at(self._location_later(day, 3, 20), self.location_primary_user)

    def location_primary_user(self, day: date) -> None:
        """The practice's primary user also administers location B's PID/SL."""
        if self.primary is None or not self.primary_usable(day):
            self.at(self._location_later(day, 10, 20), self.location_primary_user)
            return
        self.emit(
            day,
            Credledger.name_location_primary_user,
            self.org,
            "B",
            account_id=self.primary.ref,
            reason="The primary user also administers the second office's PID/SL",
        )
