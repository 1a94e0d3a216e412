"""The workload's rendering clinicians: each a practitioner record with the credentials a credentialing specialist
keeps (a Massachusetts license renewed every two years, a DEA registration every three for prescribers, a board
certification, a yearly malpractice policy, a CAQH attestation every 120 days), linked to the group's practice
address and, now and then, leaving it. Renewals come a few weeks before the expiry, some late (lapsed meanwhile),
so at any day some credentials are due within 90 days and a few have lapsed, as in a firm's books. All drawn from
the practice's clinician stream, so the rest of its life is drawn as before."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from services.app import Credledger
from services.workload import data
from services.workload.clinician_applications import ClinicianApplications
from services.workload.plan import Ref

# Per degree: the board license type, the primary NUCC taxonomy, whether it prescribes (DEA), its certifying board.
_DEGREES = {
    "MD": ("MD", "207Q00000X", True, ("ABFM", "Family Medicine")),
    "DO": ("DO", "207R00000X", True, ("ABIM", "Internal Medicine")),
    "NP": ("NP", "363L00000X", True, ("ANCC", "Family Nurse Practitioner")),
    "LICSW": ("LICSW", "1041C0700X", False, None),
    "PhD": ("Psychologist", "103T00000X", False, None),
}
_CARRIERS = ("CRICO", "Coverys", "MedPro Group", "ProAssurance")
_LATE = 0.08  # renewals that come after the expiry


def dea_number(rng: random.Random, last_name: str) -> str:
    """A DEA number with its check digit (the first, third and fifth digits plus twice the others, last digit)."""
    digits = [rng.randrange(10) for _ in range(6)]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    initial = last_name[0].upper() if last_name[0].upper() in string.ascii_uppercase else "9"
    return rng.choice("ABF") + initial + "".join(map(str, digits)) + str(check)


class Clinicians(ClinicianApplications):
    def clinician_joins(self, day: date, ref: Ref, npi: str, full_name: str, degree: str) -> None:
        """A rendering clinician joins the group: its record, credentials as verified at intake, and its link."""
        rng = self.clinician_rng
        first_name, _, last_name = full_name.partition(" ")
        license_type, taxonomy, prescribes, board = _DEGREES[degree]
        self.emit(
            day,
            Credledger.register_practitioner,
            creates=ref,
            organization_id=self.org,
            npi=npi,
            first_name=first_name,
            last_name=last_name,
            degree=degree,
            taxonomy_code=taxonomy,
            date_of_birth=data.date_of_birth(rng),
            reason="Rendering clinician joined the group",
        )
        number = f"{rng.randrange(10_000, 300_000)}"
        self.renew_license(day, ref, license_type, number, day + timedelta(days=rng.randrange(20, 730)))
        if prescribes:
            self.renew_dea(day, ref, dea_number(rng, last_name), day + timedelta(days=rng.randrange(30, 1095)))
        if board is not None:
            certified = day - timedelta(days=rng.randrange(365, 9 * 365))
            self.emit(
                day,
                Credledger.record_board_certification,
                ref,
                board=board[0],
                specialty=board[1],
                certified_on=certified,
                expires_on=certified + timedelta(days=10 * 365),
            )
        policy = f"PL-{rng.randrange(10_000, 99_999)}"
        self.renew_malpractice(day, ref, rng.choice(_CARRIERS), policy, day + timedelta(days=rng.randrange(30, 365)))
        self.at(self.cal.add(day, rng.randint(0, 8)), self.attest_caqh, ref, f"{rng.randrange(10**7, 10**8)}")
        self.emit(day, Credledger.link_rendering, ref, organization_id=self.org, service_location="A")
        for source, label in data.EXCLUSION_LISTS:  # at intake; then with the practice's monthly run
            self.screen_clinician(day, ref, source, f"{label} {day:%Y-%m}", day.replace(day=1))
        self.at(self.cal.add(day, rng.randint(0, 10)), self.clinician_applies, ref)

    def screen_clinician(self, day: date, ref: Ref, source: str, version: str, list_date: date) -> None:
        """Against the two federal lists the rule names (42 CFR 455.436: the LEIE and SAM), which the access audit
        requires; the workload leaves the state's list out for clinicians, to keep the history's size down."""
        if source not in data.FEDERAL_LISTS:
            return
        self.emit(day, Credledger.record_practitioner_screening, ref, source=source, result="no_match",
                  list_version=version, list_date=list_date, screened_on=day)  # fmt: skip

    def _renewal_day(self, day: date, expires: date) -> date:
        """A few weeks before the expiry, or (now and then) some weeks after it; never before ``day``, when the
        credential was last verified."""
        rng = self.clinician_rng
        if rng.random() < _LATE:
            return self.cal.on_or_after(expires + timedelta(days=rng.randrange(3, 40)))
        return max(self.cal.on_or_after(expires - timedelta(days=rng.randrange(10, 45))), self.cal.add(day, 1))

    def renew_license(self, day: date, ref: Ref, license_type: str, number: str, expires: date) -> None:
        self.emit(
            day,
            Credledger.record_license,
            ref,
            state="MA",
            license_type=license_type,
            number=number,
            issued_on=min(day, expires - timedelta(days=730)),
            expires_on=expires,
            reason="Verified with the Massachusetts board",
        )
        renewed = expires + timedelta(days=730)
        self.at(self._renewal_day(day, expires), self.renew_license, ref, license_type, number, renewed)

    def renew_dea(self, day: date, ref: Ref, number: str, expires: date) -> None:
        schedules = ["2", "2N", "3", "4", "5"]
        self.emit(
            day,
            Credledger.record_dea_registration,
            ref,
            number=number,
            state="MA",
            schedules=schedules,
            expires_on=expires,
        )
        self.at(self._renewal_day(day, expires), self.renew_dea, ref, number, expires + timedelta(days=3 * 365))

    def renew_malpractice(self, day: date, ref: Ref, carrier: str, policy: str, expires: date) -> None:
        self.emit(
            day,
            Credledger.record_malpractice_coverage,
            ref,
            carrier=carrier,
            policy_number=policy,
            per_claim_limit=1_000_000,
            aggregate_limit=3_000_000,
            effective_on=expires - timedelta(days=365),
            expires_on=expires,
        )
        self.at(self._renewal_day(day, expires), self.renew_malpractice, ref, carrier, policy, expires + timedelta(365))

    def attest_caqh(self, day: date, ref: Ref, caqh_id: str) -> None:
        self.emit(day, Credledger.attest_caqh, ref, caqh_id=caqh_id, attested_on=day)
        late = self.clinician_rng.random() < _LATE
        self.at(self.cal.add(day, self.clinician_rng.randint(95, 110) if late else self.clinician_rng.randint(60, 82)),
                self.attest_caqh, ref, caqh_id)  # fmt: skip

    def clinician_leaves(self, day: date, ref: Ref) -> None:
        self.emit(
            day,
            Credledger.end_rendering,
            ref,
            organization_id=self.org,
            service_location="A",
            reason="Clinician left the group",
        )
        self.clinician_left(ref)
