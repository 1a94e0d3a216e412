"""One client practice's life at the firm, as a small discrete-event simulation.

Actions are scheduled on business dates and run in date order; each one looks at a mirror of the state the domain
enforces (who is the primary user and whether they left, which grants each account holds, where each application
stands, whether the profile matches NPPES) and emits the commands that a credentialing specialist would record
that day, then schedules what follows. Whatever would happen after the simulation's end is never run, which
leaves applications open, reviews overdue and departures unanswered at the end, as in a real firm's books.

Durations come from the seeds: POSC-DC-PE (and POSC-DC-PM) processed within 7 business days (a few late); the
state's enrollment review 45-60 business days (a few late); ACO/MCO/PCC credentialing 30-60 more; deficiencies
on about a quarter of enrollments, the client taking 3-20 business days to answer.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.address import Address
from services.app import Credledger
from services.workload import data
from services.workload.clinicians import Clinicians
from services.workload.filings import Filings
from services.workload.locations import Locations
from services.workload.owners import Owners
from services.workload.people import People
from services.workload.traits import Traits, assign_traits

__all__ = ["Practice", "Traits", "assign_traits"]


class Practice(People, Filings, Owners, Locations, Clinicians):
    """One client practice: its onboarding, profile and NPPES record, rendering clinicians and exclusion
    screening here; its accounts (People), applications (Filings), owners and managing employee (Owners), second
    offices (Locations), rendering clinicians' records and credentials (Clinicians) in their own modules."""

    # --- onboarding and the profile ----------------------------------------------------------------------

    def onboard(self, day: date) -> None:
        rng, kind = self.rng, self.t.kind
        solo = kind.entity_kind == "solo_practitioner"
        out_of_state = kind.entity_kind == "out_of_state_telehealth"
        self.address = data.address(rng, out_of_state)
        if solo:
            self.legal_name = data.full_name(rng)
        else:  # named after its town, or (out of state) its founder
            place = rng.choice(data.LAST_NAMES) if out_of_state else self.address.city
            self.legal_name = f"{place} {rng.choice(kind.names)}"
        self.tin_kind = "ssn" if solo and rng.random() < 0.4 else "ein"
        self.tin = data.ssn(rng) if self.tin_kind == "ssn" else data.ein(rng)
        self.npi = data.npi(rng, self.firm.npis)
        self.codes = data.taxonomies(kind.taxonomies)
        self.risk = rng.choice(kind.risk_levels)
        self.zip4 = f"{rng.randrange(10000):04d}"
        # What NPPES says; the profile may differ from it (see nppes_first).
        self.registry = dict(name=self.legal_name, address=self.address, codes=self.codes)
        self.nppes_tin: str | None = None
        self.real_tin = self.tin
        if self.t.nppes in ("fixed", "rejected", "stalled"):
            self._diverge()
        self.org = self.firm.ref("organization")
        # A client enrolled for years brings its history (existing_client): its record starts when it registered
        # in POSC, before MassHealth issued its provider number; a new client's starts the day it signs.
        if self.t.existing:
            issued = day - timedelta(days=rng.randrange(5 * 365 - 150, 5 * 365 - 20))  # revalidation due: 5 years
            self.issued = issued + timedelta(days=max(0, 7 - issued.weekday()) if issued.weekday() >= 5 else 0)
        self.emit(
            day,
            Credledger.register_organization,
            creates=self.org,
            staff=self.firm.admin,
            legal_name=self.legal_name,
            tin=self.tin,
            tin_kind=self.tin_kind,
            npi=self.npi,
            entity_kind=kind.entity_kind,
            taxonomies=data.taxonomies_in(self.codes),
            taxonomy_version=data.TAXONOMY_VERSION,
            practice_address=data.address_in(self.address),
            mailing_address=None,
            provider_type=kind.provider_type,
            risk_level=self.risk,
            registered_on=self.issued - timedelta(days=91) if self.t.existing else day,
            reason="New client signed",
        )
        self.at(self.later(day, 0, 2), self.nppes_first)
        self.at(self.later(day, 1, 5), self.screen_month)
        if kind.entity_kind != "solo_practitioner":
            self.at(self.later(day, 1, 15), self.link_rendering)
            self.at(self.cal.add(day, self.owner_rng.randint(0, 3)), self.disclose_owners)
        self.plan_offices(day, group=kind.entity_kind != "solo_practitioner")
        if self.t.existing:
            self.at(day, self.existing_client)
        else:
            self.at(self.later(day, 1, 4), self.posc_open)

    def _diverge(self) -> None:
        """Make the profile and NPPES differ in one field, the way they do in practice."""
        rng, mismatch = self.rng, self.t.mismatch
        if mismatch == "address":
            suite = f"Ste {rng.randrange(1, 5)}{rng.randrange(10)}0"
            moved = Address.parse(
                self.address.line1,
                self.address.city,
                self.address.state,
                self.address.postal_code,
                suite if self.address.line2 is None else None,
                field="a",
            )
            self.registry["address"] = moved
        elif mismatch == "taxonomy":
            alternative = {"207Q00000X": "207R00000X", "208D00000X": "207Q00000X"}.get(self.codes[0].code, "208D00000X")
            self.registry["codes"] = data.taxonomies((alternative,))
        elif mismatch == "legal_name":
            self.registry["name"] = f"{self.legal_name} {rng.choice(('LLC', 'PC', 'Inc'))}"
        else:  # the TIN was keyed with a typo; the NPPES record shows the right one
            self.tin = data.tin_typo(self.real_tin)

    @property
    def nppes_ok(self) -> bool:
        return (
            self.registry["name"].upper() == self.legal_name.upper()
            and self.registry["address"].matching_key() == self.address.matching_key()
            and {(c.code, c.primary) for c in self.registry["codes"]} == {(c.code, c.primary) for c in self.codes}
            and (self.nppes_tin is None or self.nppes_tin == self.tin)
        )

    def snapshot(self, day: date, reason: str, with_tin: bool = False) -> None:
        record = data.nppes_record(
            npi=self.npi,
            entity_kind=self.t.kind.entity_kind,
            name=self.registry["name"],
            location=self.registry["address"],
            codes=self.registry["codes"],
            last_updated=day - timedelta(days=self.rng.randrange(3, 400)),
            zip4=self.zip4,
        )
        tin = self.real_tin if with_tin else None
        self.nppes_tin = tin
        extra = {"tin": tin} if with_tin else {}
        self.emit(
            day, Credledger.record_nppes_snapshot, self.org, record=record, retrieved_on=day, reason=reason, **extra
        )

    def nppes_first(self, day: date) -> None:
        self.snapshot(day, "NPPES lookup at intake", with_tin=self.t.mismatch == "tin" and self.t.nppes != "match")
        if self.t.nppes == "fixed":
            self.at(self.later(day, 2, 10), self.fix_nppes)

    def fix_nppes(self, day: date) -> None:
        mismatch = self.t.mismatch
        if mismatch == "address":
            self.address = self.registry["address"]
            self.emit(
                day,
                Credledger.correct_profile,
                self.org,
                practice_address=data.address_in(self.address),
                reason="Practice address as registered in NPPES",
            )
        elif mismatch == "taxonomy":
            self.registry["codes"] = self.codes
            self.snapshot(day, "Client updated its taxonomy in NPPES")
        elif mismatch == "legal_name":
            self.legal_name = self.registry["name"]
            self.emit(
                day,
                Credledger.correct_profile,
                self.org,
                legal_name=self.legal_name,
                reason="Legal name as on the IRS 147C letter and NPPES",
            )
        else:
            self.tin = self.real_tin
            self.emit(day, Credledger.correct_profile, self.org, tin=self.tin, reason="TIN typo corrected from the W-9")

    def link_rendering(self, day: date) -> None:
        count = {"group": (2, 6), "facility": (1, 4)}.get(self.t.kind.entity_kind, (1, 3))
        for _ in range(self.rng.randint(*count)):
            npi = data.npi(self.rng, self.firm.npis)
            name, degree = data.full_name(self.rng), self.rng.choice(("MD", "DO", "NP", "LICSW", "PhD"))
            clinician = self.firm.ref("practitioner")
            self.clinician_joins(day, clinician, npi, name, degree)
            if self.rng.random() < 0.1:
                self.at(self.later(day, 30, 150), self.clinician_leaves, clinician)

    def screen_month(self, day: date, month: int = 0) -> None:
        """Exclusion screening of the practice, the people it disclosed and its rendering clinicians against every
        list, monthly (42 CFR 455.436; the lists publish monthly)."""
        list_date = self.cal.on_or_after(day.replace(day=1))
        for source, label in data.EXCLUSION_LISTS:
            # SAM's draws, but every third month's, from a stream of their own (lifecycle.py).
            rng, people_rng = (
                (self.screening_rng, self.screening_rng)
                if source == "sam" and month % 3
                else (self.rng, self.owner_rng)
            )
            if source in self.suspected:  # a match still under review is settled before the list is run again
                self.clear_screening(day, source)
            suspected = rng.random() < 0.012
            found = "confirmed_match" if source in self.confirmed else "suspected_match" if suspected else "no_match"
            suspected = suspected and source not in self.confirmed
            self.emit(
                day,
                Credledger.record_exclusion_screening,
                self.org,
                source=source,
                result=found,
                list_version=f"{label} {list_date:%Y-%m}",
                list_date=min(list_date, day),
                screened_on=day,
            )
            if suspected:
                self.suspected.add(source)
                self.at(self.later(day, 1, 4), self.clear_screening, source)
            self.screen_people(day, source, f"{label} {list_date:%Y-%m}", min(list_date, day), people_rng)
            for clinician in self.rendering:
                self.screen_clinician(day, clinician, source, f"{label} {list_date:%Y-%m}", min(list_date, day))
        first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        # Early next month, once the lists are out, but never more than 30 days after this run: a firm screening
        # "monthly" keeps every subject within the views' 31 days (domain/screening.py), as a careful one does.
        # The draw is made either way, so the rest of the history stays as it was.
        drawn = self.later(self.cal.on_or_after(first_next), 1, 6)
        self.at(min(drawn, self.cal.back(day + timedelta(days=30), 0)), self.screen_month, month + 1)

    def clear_screening(self, day: date, source: str) -> None:
        if source not in self.suspected:
            return
        self.suspected.discard(source)
        self.emit(
            day,
            Credledger.clear_exclusion_screening,
            self.org,
            source,
            on=day,
            reason="Reviewed: different date of birth and NPI, not this provider",
        )
