"""A practice's applications: POSC registration (POSC-DC-PE, processed within 7 business days, a few late; rejected
when the profile differs from NPPES), MassHealth enrollment with its dossier, EFT and screenings (state review
45-60 business days, deficiencies on about a quarter), and revalidation for clients onboarded already enrolled.
ACO / MCO / PCC credentialing, which follows, is services/workload/credentialing.py."""

from __future__ import annotations

from datetime import date, timedelta

from domain.address import Address
from domain.application import REQUIRED_DOCUMENTS, ApplicationKind
from domain.dossier import DocumentType
from services.app import Credledger
from services.workload import data
from services.workload.credentialing import Credentialing
from services.workload.lifecycle import App

ENROLLMENT_DEFICIENCIES = (
    (["Signed W-9 (page 2 missing)"], DocumentType.W9),
    (["IRS 147C letter matching the legal name"], DocumentType.IRS_147C),
    (["Liability COI showing $1M/$3M limits and the practice location"], DocumentType.LIABILITY_COI),
    (["Ownership and managing employee disclosure"], None),
    (["Massachusetts license of a rendering clinician"], DocumentType.LICENSE),
    (["Signed provider agreement (all pages)"], DocumentType.PROVIDER_AGREEMENT),
)
POSC_DEFICIENCIES = (
    ["Primary user's date of birth missing on the form"],
    ["Form not signed by an authorized signatory"],
)


class Filings(Credentialing):
    # --- POSC registration (POSC-DC-PE) and the primary user -------------------------------------------

    def posc_open(self, day: date) -> None:
        channel = "fax" if self.rng.random() < 0.7 else "mail"
        self.posc = self.open_app(day, "posc_registration", channel, reason="POSC-DC-PE prepared")
        self.posc_channel = channel
        self.primary = self.open_account(day, "primary", reason="Named as primary user on POSC-DC-PE")
        self.at(self.later(day, 1, 4), self.posc_submit)

    def posc_submit(self, day: date) -> None:
        how = (
            "Faxed POSC-DC-PE to (617) 988-8974"
            if self.posc_channel == "fax"
            else "Mailed POSC-DC-PE to Provider Enrollment and Credentialing, Quincy"
        )
        if self.nppes_ok:
            self.submit(day, self.posc, how)
            received = day
            if self.posc_channel == "mail":  # the payer's clock starts on delivery, a few business days on
                received = self.later(day, 1, 3)
                self.at(received, self.confirm_receipt, self.posc)
            deficiencies = [(self.rng.choice(POSC_DEFICIENCIES), None)] if self.rng.random() < 0.06 else []
            self.payer(self.posc, received, self.draw(2, 7, 0.12, 12), deficiencies, self.posc_approved, client=(1, 5))
        elif self.t.nppes == "rejected" and self.posc.status == "open" and not self.rejected:
            self.submit(
                day, self.posc, how, override="Client says its NPPES update is filed; sending to hold the queue"
            )
            self.at(self.later(day, 1, 3), self.posc_reject)
        elif self.t.nppes in ("fixed", "rejected"):
            self.at(self.later(day, 1, 2), self.posc_submit)
        # stalled: the form waits on the client's NPPES correction, past the end

    def posc_reject(self, day: date) -> None:
        field = {"address": "practice address", "taxonomy": "taxonomy", "legal_name": "legal name"}.get(
            self.t.mismatch, "TIN"
        )
        self.emit(
            day,
            Credledger.reject_application,
            self.posc.ref,
            rejected_on=day,
            cause=f"Automated POSC rejection: {field} differs from NPPES",
        )
        self.posc.status = "open"
        self.rejected = True
        fixed = self.later(day, 1, 4)
        self.at(fixed, self.fix_nppes)
        self.at(self.later(fixed, 1, 3), self.posc_submit)

    def posc_approved(self, day: date) -> None:
        self.approve(day, self.posc, "Virtual Gateway confirmation email received")
        self.at(self.later(day, 3, 8), self.pin_letter)
        self.at(self.later(day, 2, 10), self.enrollment_open)

    def pin_letter(self, day: date) -> None:
        self.emit(
            day,
            Credledger.receive_pin_letter,
            self.org,
            pin=data.pin(self.rng),
            received_on=day,
            reason="MassHealth PIN letter arrived by mail",
        )
        self.pin = True
        if self.primary is not None and not self.t.stuck_checklist:
            steps = [
                "registered_with_pin",
                "new_user_email_received",
                "password_changed",
                "authentication_questions_answered",
            ]
            self.at(self.later(day, 0, 3), self.checklist, self.primary, steps, self.primary_ready)

    # --- MassHealth enrollment -------------------------------------------------------------------------

    def enrollment_open(self, day: date) -> None:
        app = self.enrollment = self.open_app(day, "enrollment", "portal", reason="MassHealth enrollment started")
        types = [
            DocumentType.W9,
            DocumentType.IRS_147C,
            DocumentType.LICENSE,
            DocumentType.LIABILITY_COI,
            DocumentType.VOIDED_CHECK,
            DocumentType.PROVIDER_AGREEMENT,
        ]
        if self.t.kind.prescriber:
            types.append(DocumentType.DEA)
        if self.t.kind.entity_kind in ("group", "facility"):
            types += [DocumentType.LICENSE] * self.rng.randint(0, 2)  # one per clinician
        self.rng.shuffle(types)
        early = self.submit_too_early if self.rng.random() < 0.04 else None
        last = self.dossier(day, app, types, 12, early)
        self.at(self.later(day, 1, 8), self.eft_details)
        self.at(self.later(last, 1, 5), self.enrollment_submit)

    def submit_too_early(self, day: date, app: App) -> None:
        """Submitted before the last document came in: the domain refuses it, and nothing is stored."""
        if app.status == "open" and not REQUIRED_DOCUMENTS[ApplicationKind.ENROLLMENT] <= set(app.docs.values()):
            self.emit(
                day,
                Credledger.submit_application,
                app.ref,
                submitted_on=day,
                refusal="documents-missing",
                reason="Submitted through the POSC enrollment wizard",
            )

    def eft_details(self, day: date) -> None:
        self.emit(
            day,
            Credledger.record_eft_details,
            self.org,
            routing_number=data.routing_number(self.rng),
            account_number=data.account_number(self.rng),
            account_type="checking",
            reason="From the voided check",
        )
        self.at(self.later(day, 3, 10), self.eft_validation)

    def eft_validation(self, day: date) -> None:
        validated = self.rng.random() > 0.06
        self.emit(
            day,
            Credledger.record_eft_validation,
            self.org,
            validated=validated,
            on=day,
            reason="Prenote accepted" if validated else "Prenote returned: account closed",
        )
        if not validated:
            self.at(self.later(day, 2, 6), self.eft_details)

    def enrollment_submit(self, day: date) -> None:
        app = self.enrollment
        if app.status != "open":
            return
        if not self.nppes_ok:
            self.at(self.later(day, 3, 3), self.enrollment_submit)
            return
        if self.rng.random() < 0.5:
            self.snapshot(day, "NPPES re-checked before submission")
        self.submit(day, app, "Submitted through the POSC enrollment wizard")
        self.screenings(day, app)
        outcome = self.t.enrollment
        deficiencies = []
        if self.rng.random() < 0.25:
            deficiencies = self.rng.sample(ENROLLMENT_DEFICIENCIES, 2 if self.rng.random() < 0.2 else 1)
        days = self.draw(45, 60, 0.12, 75)
        withdraw_at = self.rng.randint(10, 30) if outcome == "withdrawn" else None

        def decide(on: date) -> None:
            if outcome == "approved":
                number = self.provider_number = self._provider_number()
                self.approve(
                    on, app, "Approval letter with the provider number", provider_number=number, effective_date=day
                )
                self.enrolled(on)
            else:
                reason = self.rng.choice(
                    ("Site visit: the location was not operational", "License could not be verified with the Board")
                )
                if self.t.excluded:
                    reason = "Excluded from federal health care programs (OIG LEIE): 42 CFR 455.416"
                self.deny(on, app, reason)

        decided = self.payer(app, day, days, deficiencies, decide, withdraw_at=withdraw_at)
        if outcome == "denied" and self.t.excluded:
            self.exclusion_before_decision(decided)
        if outcome == "approved":
            self.enrollment_due = decided
            if self.t.affiliates and self.rng.random() < 0.6:  # credentialing with plans started in parallel
                self.at(self.later(day, 15, 40), self.start_affiliations)

    def screenings(self, day: date, app: App) -> None:
        self.at(self.later(day, 1, 8), self.screened, app, "exclusion_lists", True)
        if self.risk != "limited":
            self.at(self.later(day, 5, 25), self.screened, app, "fingerprint_cori", True)
            passed = not (self.t.enrollment == "denied" and app is self.enrollment)
            self.at(self.later(day, 10, 35), self.screened, app, "site_visit", passed)

    def screened(self, day: date, app: App, screening: str, passed: bool) -> None:
        if screening == "exclusion_lists" and self.suspected:  # passed only once the suspected matches are reviewed
            self.at(self.cal.add(day, 3), self.screened, app, screening, passed)
            return
        if app.status in ("submitted", "deficient"):
            self.emit(
                day,
                Credledger.record_application_screening,
                app.ref,
                screening=screening,
                passed=passed,
                completed_on=day,
            )

    def _provider_number(self) -> str:
        while True:
            number = f"{self.rng.randrange(10**7):07d}"
            if number not in self.firm.provider_numbers:
                self.firm.provider_numbers.add(number)
                return number

    def enrolled(self, day: date) -> None:
        self.enrolled_on = day
        if self.t.affiliates and not self.affiliations:
            self.at(self.later(day, 1, 15), self.start_affiliations)
        if self.t.nppes == "drift":  # some weeks later, and before the end if the enrollment came in time
            target = min(self.cal.add(day, self.rng.randint(10, 60)), self.cal.back(self.end, self.rng.randint(3, 10)))
            self.at(max(target, self.cal.add(day, 1)), self.drift)

    def drift(self, day: date) -> None:
        """The practice moved and updated NPPES; the firm has not corrected the profile yet."""
        old = self.registry["address"]
        self.registry["address"] = Address.parse(
            f"{self.rng.randrange(1, 1200)} {self.rng.choice(data.STREETS)}",
            old.city,
            old.state,
            old.postal_code,
            field="a",
        )
        self.snapshot(day, "Monthly NPPES re-check")

    # --- onboarded already enrolled: revalidation ----------------------------------------------------------

    def existing_client(self, day: date) -> None:
        """A client enrolled for years, onboarded with its history: each fact recorded today with the day it
        happened (the provider number, the PIN letter, the primary user's account and access, affiliations)."""
        issued = self.issued
        self.provider_number = self._provider_number()
        self.emit(
            day,
            Credledger.issue_provider_number,
            self.org,
            provider_number=self.provider_number,
            issued_on=issued,
            reason="Client onboarded already enrolled with MassHealth",
        )
        self.enrolled_on = self.enrollment_due = day
        self.emit(
            day,
            Credledger.receive_pin_letter,
            self.org,
            pin=data.pin(self.rng),
            received_on=issued + timedelta(days=9),
            reason="Copy of the client's PIN letter",
        )
        self.pin = True
        registered = issued + timedelta(days=14)  # in POSC, with the PIN from the letter (a weekday, as issued)
        self.primary = self.open_account(
            day, "primary", reason="The client's existing POSC primary user", opened_on=registered
        )
        for step in (
            "registered_with_pin",
            "new_user_email_received",
            "password_changed",
            "authentication_questions_answered",
        ):
            self.emit(day, Credledger.complete_checklist_step, self.primary.ref, step=step, on=registered)
        self.primary_ready(day, since=registered)
        if self.t.affiliates:
            for kind, plan, partner in self.choose_plans()[: self.rng.randint(1, 2)]:
                self.existing_affiliation(day, issued, kind, plan, partner)
        letter = self.later(day, 5, 40)
        self.at(letter, self.revalidation_letter)

    def revalidation_letter(self, day: date) -> None:
        self.emit(day, Credledger.receive_revalidation_letter, self.org, reason="MassHealth's revalidation letter")
        app = self.open_app(day, "revalidation", "portal", reason="Revalidation letter received")
        types = [DocumentType.W9, DocumentType.LICENSE, DocumentType.LIABILITY_COI, DocumentType.PROVIDER_AGREEMENT]
        last = self.dossier(day, app, types, 10)
        deadline = day + timedelta(days=45)  # answer within 45 days of the letter
        submit = min(self.later(last, 1, 4), self.cal.on_or_after(deadline - timedelta(days=3)))
        self.at(max(submit, last), self.revalidation_submit, app)

    def revalidation_submit(self, day: date, app: App) -> None:
        if not self.nppes_ok:
            self.at(self.later(day, 2, 2), self.revalidation_submit, app)
            return
        self.snapshot(day, "NPPES re-checked before submission")
        self.submit(day, app, "Revalidation submitted through POSC")
        self.screenings(day, app)
        deficiencies = [self.rng.choice(ENROLLMENT_DEFICIENCIES)] if self.rng.random() < 0.2 else []
        self.payer(
            app,
            day,
            self.draw(45, 60, 0.1, 72),
            deficiencies,
            lambda on: self.approve(on, app, "Revalidation approved"),
        )
