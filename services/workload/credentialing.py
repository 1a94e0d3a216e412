"""A practice's ACO / MCO / PCC credentialing: the plans it chooses by kind of practice, the credentialing
application to each (30-60 more business days after MassHealth's, deficiencies on a few), and the affiliation
moving through its states, contracted only once MassHealth issued the provider number. Clients onboarded already
enrolled bring their active affiliations with them."""

from __future__ import annotations

from datetime import date, timedelta

from domain.dossier import DocumentType
from services.app import Credledger
from services.workload import data
from services.workload.lifecycle import App, Lifecycle

PLAN_DEFICIENCIES = (
    (["CAQH profile attestation out of date"], None),
    (["Signed fee schedule"], None),
    (["Current liability COI"], DocumentType.LIABILITY_COI),
)


class Credentialing(Lifecycle):
    """The practice's affiliations with plans; Filings starts them once the enrollment is under way."""

    def choose_plans(self) -> list[tuple[str, str, str | None]]:
        rng, plans = self.rng, []
        if self.t.kind.primary_care:
            if rng.random() < 0.7:
                plan, partner = rng.choice(data.ACO_A_PLANS)
                plans.append(("aco_a", plan, partner))
            else:
                plans.append(("aco_b", rng.choice(data.ACO_B_PLANS), None))
            for mco in rng.sample(data.MCO_PLANS, rng.randint(0, 2)):
                plans.append(("mco", mco, None))
            if rng.random() < 0.5:
                plans.append(("pcc", data.PCC_PLAN, None))
        else:
            for mco in rng.sample(data.MCO_PLANS, rng.randint(1, 2)):
                plans.append(("mco", mco, None))
        return plans

    def start_affiliations(self, day: date) -> None:
        for kind, plan, partner in self.choose_plans():
            if plan not in self.affiliations:
                self.affiliations[plan] = "planned"
                self.at(self.later(day, 0, 10), self.affiliation_request, kind, plan, partner)

    def affiliation_request(self, day: date, kind: str, plan: str, partner: str | None) -> None:
        self.emit(
            day,
            Credledger.request_affiliation,
            self.org,
            kind=kind,
            plan=plan,
            partner_mco=partner,
            on=day,
            reason="Credentialing requested",
        )
        self.affiliations[plan] = "requested"
        app_kind = {"aco_a": "aco_affiliation", "aco_b": "aco_affiliation", "mco": "mco_affiliation"}.get(
            kind, "pcc_affiliation"
        )
        app = self.open_app(day, app_kind, "portal", plan=plan, reason=f"{plan} credentialing application")
        types = [DocumentType.W9, DocumentType.LICENSE] + ([DocumentType.LIABILITY_COI] if kind != "pcc" else [])
        last = self.dossier(day, app, types, 4)
        self.at(self.later(last, 1, 3), self.affiliation_submit, app, plan)

    def affiliation_submit(self, day: date, app: App, plan: str) -> None:
        self.submit(day, app, f"Sent to {plan} with the CAQH profile")
        self.affiliations[plan] = "in_credentialing"  # the affiliation follows its application
        deficiencies = [self.rng.choice(PLAN_DEFICIENCIES)] if self.rng.random() < 0.2 else []
        approved = self.rng.random() < 0.85

        def decide(on: date) -> None:
            if approved:
                self.approve(on, app, f"{plan} approved credentialing")
                self.at(max(on, self.enrollment_due), self.contract, plan)
            else:
                self.deny(on, app, "Panel closed for this specialty in the service area")
                self.affiliations[plan] = "denied"  # the affiliation follows its application

        self.payer(app, day, self.draw(30, 60, 0.12, 75), deficiencies, decide)

    def move(self, day: date, plan: str, to: str, *sources: str) -> None:
        if self.affiliations.get(plan) not in sources:
            return
        self.emit(day, Credledger.move_affiliation, self.org, plan=plan, to=to, on=day)
        self.affiliations[plan] = to
        if to == "active":  # in the plan's network: its clinicians are credentialed with it too
            self.credential_clinicians(day, plan)

    def contract(self, day: date, plan: str) -> None:
        if self.enrolled_on is None or self.enrolled_on > day:
            self.at(self.later(day, 5, 5), self.contract, plan)
            return
        self.move(day, plan, "contracted", "in_credentialing")
        active = self.later(day, 5, 20)
        self.at(active, self.move, plan, "active", "contracted")
        if self.rng.random() < 0.04:
            self.at(self.later(active, 20, 120), self.move, plan, "terminated", "active")

    def existing_affiliation(self, day: date, issued: date, kind: str, plan: str, partner: str | None) -> None:
        requested = issued + timedelta(days=self.rng.randrange(30, 200))
        dates = [requested]
        for gap in ((5, 20), (30, 60), (5, 20)):
            dates.append(dates[-1] + timedelta(days=self.rng.randint(*gap)))
        reason = "Existing affiliation recorded at onboarding"
        self.emit(
            day,
            Credledger.request_affiliation,
            self.org,
            kind=kind,
            plan=plan,
            partner_mco=partner,
            on=dates[0],
            reason=reason,
        )
        for state, on in zip(("in_credentialing", "contracted", "active"), dates[1:], strict=True):
            self.emit(day, Credledger.move_affiliation, self.org, plan=plan, to=state, on=on, reason=reason)
        self.affiliations[plan] = "active"
