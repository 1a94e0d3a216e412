"""The workload's clinicians' own applications: each new clinician's MassHealth enrollment (as a rendering
provider under the group) and, where the practice is in a plan's network, that plan's credentialing of it, each
decided by the payer some weeks later. Their approvals make the clinician's participation; its leaving the group ends
it. All drawn from the practice's clinician stream (clinicians.py), so the rest of its life is drawn as before."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.application_values import REQUIRED_DOCUMENTS, ApplicationKind
from domain.dossier import DocumentType
from services.app import Credledger
from services.workload import data
from services.workload.lifecycle import App, Lifecycle
from services.workload.plan import Ref

_IN_NETWORK = ("contracted", "active")


def _documents(kind: str) -> tuple[DocumentType, ...]:
    """What the payer needs for the kind (the domain's list), in a fixed order: the workload is reproducible."""
    return tuple(sorted(REQUIRED_DOCUMENTS[ApplicationKind(kind)]))


def _kind_of(plan: str) -> str:
    """The credentialing application a plan takes, by the kind of plan it is."""
    if plan == data.PCC_PLAN:
        return "pcc_affiliation"
    return "mco_affiliation" if plan in data.MCO_PLANS else "aco_affiliation"


class ClinicianApplications(Lifecycle):
    risk: str  # the practice's (practice.py): a moderate or high risk enrollment owes more screenings

    def clinician_applies(self, day: date, clinician: Ref) -> None:
        """The firm files the clinician's MassHealth enrollment, and a plan's credentialing where the practice is in
        its network."""
        rng = self.clinician_rng
        self.rendering.append(clinician)
        self._apply(day, clinician, "enrollment", None)
        plans = sorted(plan for plan, state in self.affiliations.items() if state in _IN_NETWORK)
        if plans and rng.random() < 0.7:
            plan = rng.choice(plans)
            self.at(self.cal.add(day, rng.randint(1, 5)), self._apply, clinician, _kind_of(plan), plan)

    def credential_clinicians(self, day: date, plan: str) -> None:
        """The practice is in the plan's network: the plan credentials the clinicians rendering there."""
        rng = self.clinician_rng
        for clinician in self.rendering:
            if rng.random() < 0.8:
                later = self.cal.add(day, rng.randint(1, 15))
                self.at(later, self._apply, clinician, _kind_of(plan), plan)

    def clinician_left(self, clinician: Ref) -> None:
        if clinician in self.rendering:
            self.rendering.remove(clinician)

    def _apply(self, day: date, clinician: Ref, kind: str, plan: str | None) -> None:
        rng = self.clinician_rng
        app = App(self.firm.ref("application"), kind)
        fields: dict[str, Any] = dict(organization_id=self.org, kind=kind, channel="portal", practitioner_id=clinician)
        if plan is not None:
            fields["plan"] = plan
        reason = f"{plan or 'MassHealth'} application for a new rendering clinician"
        self.emit(day, Credledger.open_application, creates=app.ref, reason=reason, **fields)
        for number, doc_type in enumerate(_documents(kind), 1):
            extra: dict[str, Any] = {}
            if doc_type is DocumentType.LICENSE:
                extra["expires_on"] = day + timedelta(days=rng.randrange(300, 700))
            elif doc_type is DocumentType.LIABILITY_COI:
                extra.update(expires_on=day + timedelta(days=365), per_occurrence_limit=1_000_000,
                             aggregate_limit=3_000_000)  # fmt: skip
            self.emit(day, Credledger.attach_document, app.ref, document_id=f"{doc_type.value}-{number}",
                      type=doc_type, received_on=day, supersedes=None, **extra)  # fmt: skip
        self.at(self.cal.add(day, rng.randint(1, 4)), self._file, app, plan)

    def _file(self, day: date, app: App, plan: str | None) -> None:
        rng = self.clinician_rng
        # The clinicians' NPPES records are not kept here: MassHealth's comparison is overridden, as firms do once
        # they have looked the NPI up by hand.
        override = "Clinician's NPPES record checked by hand" if app.kind == "enrollment" else None
        self.submit(day, app, f"Sent to {plan or 'MassHealth'}", override)
        if app.kind == "enrollment":
            screenings = ["exclusion_lists"] + (["fingerprint_cori", "site_visit"] if self.risk != "limited" else [])
            for screening in screenings:
                self.at(self.cal.add(day, rng.randint(2, 10)), self._screened, app, screening)
        # The seeds: MassHealth's review takes 45-60 business days, a plan's credentialing 30-60.
        self.at(
            self.cal.add(day, rng.randint(45, 60) if app.kind == "enrollment" else rng.randint(30, 60)),
            self._decide,
            app,
        )

    def _screened(self, day: date, app: App, screening: str) -> None:
        if screening == "exclusion_lists" and (self.suspected or self.confirmed):  # after the review
            self.at(self.cal.add(day, 3), self._screened, app, screening)
            return
        if app.status == "submitted":
            self.emit(day, Credledger.record_application_screening, app.ref, screening=screening, passed=True,
                      completed_on=day)  # fmt: skip
            app.screened += 1

    def _decide(self, day: date, app: App) -> None:
        rng = self.clinician_rng
        if app.status != "submitted" or self.confirmed:
            return  # an excluded practice's clinicians wait
        wanted = 3 if self.risk != "limited" else 1
        if app.kind == "enrollment" and app.screened < wanted:
            self.at(self.cal.add(day, 5), self._decide, app)
            return
        if rng.random() < 0.06:
            self.deny(day, app, "Credentialing committee declined")
            return
        extra: dict[str, Any] = {"effective_date": self.cal.back(day, rng.randint(0, 20))}
        if app.kind == "enrollment":
            while (number := f"{rng.randrange(10**7):07d}") in self.firm.provider_numbers:
                pass
            self.firm.provider_numbers.add(number)
            extra["provider_number"] = number
        elif rng.random() < 0.5:
            extra["provider_number"] = f"P{rng.randrange(10**6):06d}"  # a plan's own id for the clinician
        self.approve(day, app, "Approved", **extra)
