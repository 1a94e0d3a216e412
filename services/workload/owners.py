"""A practice's owners (5% or more) and managing employee: disclosed at intake as the enrollment wizard asks, screened
against the exclusion lists with the practice (a namesake now and then, cleared on review), and an owner now and then
selling their interest to a new one (a majority sold: MassHealth now and then reissues the provider number)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from itertools import pairwise

from services.app import Credledger
from services.workload import data
from services.workload.lifecycle import Lifecycle, Person

NAMESAKE_RATE = 0.004  # per person and list run: a common name matches someone on the list
SALE_RATE = 0.08  # of the practices with several owners: one owner sells during the simulated period


class Owners(Lifecycle):
    def disclose_owners(self, day: date) -> None:
        """A group or facility: one to three owners holding it all, and its practice manager. (A sole practitioner
        owns their practice and is screened as the organization.)"""
        count = self.owner_rng.choice((1, 2, 2, 3))
        shares = [Decimal(100)] if count == 1 else self._shares(count)
        for share in shares:
            self._disclose(day, "owner", share, "Ownership disclosure for the enrollment wizard")
        self._disclose(day, "managing_employee", None, "Practice manager, disclosed as managing employee")
        if count > 1 and self.owner_rng.random() < SALE_RATE:
            self.at(self.cal.add(day, self.owner_rng.randint(60, 400)), self.owner_sells)

    def _shares(self, count: int) -> list[Decimal]:
        """Shares of 5% steps: cut 0-100 at distinct multiples of 5 (so each share is at least 5%)."""
        edges = [0, *sorted(self.owner_rng.sample(range(10, 91, 5), count - 1)), 100]
        return [Decimal(b - a) for a, b in pairwise(edges)]

    def _disclose(self, day: date, role: str, percent: Decimal | None, reason: str) -> None:
        person = Person(self.firm.ref("disclosure"), role, percent)
        self.emit(
            day,
            Credledger.disclose_owner_or_managing_employee,
            self.org,
            creates=person.ref,
            role=role,
            name=data.full_name(self.owner_rng),
            tin=data.ssn(self.owner_rng),
            birth_date=data.date_of_birth(self.owner_rng),
            ownership_percent=percent,
            reason=reason,
        )
        self.people.append(person)

    def owner_sells(self, day: date) -> None:
        seller = next(p for p in self.people if p.role == "owner")
        self.confirmed = {key for key in self.confirmed if not key.startswith(f"{seller.ref}:")}
        for source in [s for s in self.suspected if s.startswith(f"{seller.ref}:")]:
            self.clear_person_screening(day, source)
        self.emit(day, Credledger.end_disclosure, self.org, seller.ref, reason="Sold the ownership interest")
        self.people.remove(seller)
        self._disclose(day, "owner", seller.percent, "Bought the departing owner's interest")
        majority = seller.percent is not None and seller.percent >= 50
        if majority and self.enrolled_on is not None and self.owner_rng.random() < 0.5:
            self.at(self.cal.add(day, self.owner_rng.randint(10, 40)), self.number_reissued)

    def number_reissued(self, day: date) -> None:
        """A change of ownership: MassHealth reissued the provider number."""
        while (number := f"{self.owner_rng.randrange(10**7):07d}") in self.firm.provider_numbers:
            continue
        self.firm.provider_numbers.add(number)
        self.provider_number = number
        self.emit(
            day,
            Credledger.change_provider_number,
            self.org,
            provider_number=number,
            reason="Change of ownership: MassHealth reissued the provider number",
        )

    def exclusion_before_decision(self, decided: date) -> None:
        """A denied enrollment whose cause is an exclusion: a few days before MassHealth's decision (after the
        application's own screenings) the OIG LEIE confirms one of the owners or managers, or the practice itself."""
        self.at(self.cal.back(decided, 2), self.exclusion_confirmed)

    def exclusion_confirmed(self, day: date) -> None:
        """Confirmed, and never cleared: the list runs again find it each month (the access audit's excluded). Whose
        match is drawn among the people disclosed that day."""
        person = self.owner_rng.choice(self.people) if self.people else None
        key = f"{person.ref}:oig_leie" if person is not None else "oig_leie"
        self.suspected.discard(key)
        self.confirmed.add(key)
        subject = (
            (Credledger.record_person_screening, self.org, person.ref)
            if person
            else (Credledger.record_exclusion_screening, self.org)
        )
        self.emit(
            day,
            *subject,
            source="oig_leie",
            result="confirmed_match",
            list_version=f"LEIE {day:%Y-%m}",
            list_date=day.replace(day=1),
            screened_on=day,
            reason="Name, date of birth and SSN match the LEIE entry",
        )

    def screen_people(self, day: date, source: str, version: str, list_date: date, rng: random.Random) -> None:
        for person in list(self.people):
            key = f"{person.ref}:{source}"
            if key in self.suspected:
                self.clear_person_screening(day, key)
            namesake = rng.random() < NAMESAKE_RATE
            found = "confirmed_match" if key in self.confirmed else "suspected_match" if namesake else "no_match"
            self.emit(
                day,
                Credledger.record_person_screening,
                self.org,
                person.ref,
                source=source,
                result=found,
                list_version=version,
                list_date=list_date,
                screened_on=day,
            )
            if namesake and key not in self.confirmed:
                self.suspected.add(key)
                self.at(self.cal.add(day, self.owner_rng.randint(1, 4)), self.clear_person_screening, key)

    def clear_person_screening(self, day: date, key: str) -> None:
        if key not in self.suspected:
            return
        self.suspected.discard(key)
        ref, source = key.rsplit(":", 1)
        person = next((p for p in self.people if str(p.ref) == ref), None)
        if person is None:
            return
        self.emit(
            day,
            Credledger.clear_person_screening,
            self.org,
            person.ref,
            source,
            on=day,
            reason="Reviewed: a namesake, the list's date of birth differs",
        )
