"""A mixed, seeded workload through the application layer: organizations, their POSC accounts
(primary users who leave and are replaced through POSC-DC-PM, subordinates, billing partners),
grants, reviews and departures, applications with deficiencies and decisions, plan affiliations.

Commands are drawn at random among the ones that make sense for the current state; a command
the domain refuses is counted and changes nothing, as through the API.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from domain.affiliation import AffiliationState, PlanKind
from domain.business_time import business_today
from domain.errors import DomainError
from domain.user_account import AccountRole, PoscFunction, ReviewOutcome
from services.app import Actor, Credledger
from services.app.application_commands import (
    ApproveApplication,
    DenyApplication,
    NoticeDeficiency,
    OpenApplication,
    RejectApplication,
    ResolveDeficiency,
    SubmitApplication,
)
from services.app.commands import AddressIn, TaxonomyIn
from services.app.organization_commands import (
    IssueProviderNumber,
    MoveAffiliation,
    RegisterOrganization,
    RequestAffiliation,
)
from services.app.user_account_commands import (
    ChangeAccess,
    OnDate,
    OpenUserAccount,
    ReplacePrimaryUser,
    ReviewAccess,
)

PLANS = (("mco", "Tufts Health Together"), ("aco_b", "Community Care Cooperative"), ("pcc", "PCC Plan"))


def organization(
    name: str, risk_level: str = "limited", registered_on: date = date(2026, 1, 5)
) -> RegisterOrganization:
    """A group practice's registration (``msgspec.structs.replace`` it for another), early in the year so that
    facts dated after it are not refused as predating the organization."""
    return RegisterOrganization(
        legal_name=name,
        tin="04-3219876",
        tin_kind="ein",
        npi="1234567893",
        entity_kind="group",
        taxonomies=[TaxonomyIn(code="193200000X", primary=True)],
        taxonomy_version="25.1",
        practice_address=AddressIn(line1="100 North St", city="Pittsfield", state="MA", postal_code="01201"),
        mailing_address=None,
        provider_type="physician group",
        risk_level=risk_level,
        registered_on=registered_on,
    )


@dataclass
class _Tenant:
    id: str
    orgs: list[UUID] = field(default_factory=list)
    primary: dict[UUID, UUID] = field(default_factory=dict)  # organization -> its primary account
    accounts: dict[UUID, list[UUID]] = field(default_factory=dict)  # organization -> accounts
    apps: dict[UUID, tuple[UUID, str]] = field(default_factory=dict)  # application -> (organization, kind)
    deficiencies: dict[UUID, str] = field(default_factory=dict)  # application -> open deficiency id
    modifications: dict[UUID, UUID] = field(default_factory=dict)  # organization -> approved POSC-DC-PM
    affiliations: dict[UUID, list[str]] = field(default_factory=dict)  # organization -> plans requested


class MixedWorkload:
    def __init__(self, app: Credledger, tenants: tuple[str, ...], seed: int) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.tenants = [_Tenant(t) for t in tenants]
        self.day = date(2026, 1, 5)
        self.done = self.refused = 0

    def run(self, commands: int, keep_going: threading.Event | None = None) -> None:
        """``commands`` commands, then more while ``keep_going`` is set (so faults land mid-stream)."""
        while self.done + self.refused < commands or (keep_going is not None and keep_going.is_set()):
            self.step()

    def step(self) -> None:
        tenant = self.rng.choice(self.tenants)
        self.actor = Actor(tenant.id, "workload", "specialist")
        if self.rng.random() < 0.3:  # every fact is dated the workload's day, never after today in Massachusetts
            self.day = min(self.day + timedelta(days=1), business_today())
        acts: list[Callable[[_Tenant], None]] = [self._register]
        if tenant.orgs:
            acts += [self._open_account, self._open_application, self._affiliate] * 2
            acts += [self._grant, self._grant, self._review, self._depart, self._revoke, self._move_application] * 2
            acts += [self._replace_primary, self._move_affiliation, self._provider_number]
        try:
            self.rng.choice(acts)(tenant)
            self.done += 1
        except DomainError:
            self.refused += 1

    def _org(self, tenant: _Tenant) -> UUID:
        return self.rng.choice(tenant.orgs)

    def _register(self, tenant: _Tenant) -> None:
        risk = self.rng.choice(["limited", "moderate", "high"])
        command = organization(f"Practice {len(tenant.orgs)}", risk, registered_on=self.day)
        org = self.app.register_organization(self.actor, command).id
        tenant.orgs.append(org)

    def _open_account(self, tenant: _Tenant) -> None:
        org = self._org(tenant)
        role = AccountRole.PRIMARY if org not in tenant.primary else self.rng.choice(list(AccountRole)[1:])
        partner = dict(partner_firm="Acme Billing", partner_function="billing") if role == "business_partner" else {}
        person_name = f"Person {self.rng.randrange(10**6)}"
        command = OpenUserAccount(
            organization_id=org, person_name=person_name, role=role, opened_on=self.day, **partner
        )
        account = self.app.open_user_account(self.actor, command).id
        tenant.accounts.setdefault(org, []).append(account)
        if role is AccountRole.PRIMARY:
            tenant.primary[org] = account

    def _account(self, tenant: _Tenant) -> UUID:
        org = self._org(tenant)
        if not tenant.accounts.get(org):
            raise DomainError("no account yet")
        return self.rng.choice(tenant.accounts[org])

    def _grant(self, tenant: _Tenant) -> None:
        function = self.rng.choice(list(PoscFunction))
        self.app.grant_access(self.actor, self._account(tenant), ChangeAccess(function=function, on=self.day))

    def _revoke(self, tenant: _Tenant) -> None:
        function = self.rng.choice(list(PoscFunction))
        self.app.revoke_access(self.actor, self._account(tenant), ChangeAccess(function=function, on=self.day))

    def _review(self, tenant: _Tenant) -> None:
        outcome = ReviewOutcome.CONFIRMED if self.rng.random() < 0.9 else ReviewOutcome.REVOKED
        review = ReviewAccess(outcome=outcome, on=self.day, reviewer="Pat Lee")
        self.app.review_access(self.actor, self._account(tenant), review)

    def _depart(self, tenant: _Tenant) -> None:
        if self.rng.random() < 0.5:
            self.app.record_departure(self.actor, self._account(tenant), OnDate(on=self.day))
        else:
            self.app.deactivate_account(self.actor, self._account(tenant), OnDate(on=self.day))

    def _open_application(self, tenant: _Tenant) -> None:
        org = self._org(tenant)
        kind = self.rng.choice(["posc_registration", "posc_registration", "primary_user_modification"])
        command = OpenApplication(organization_id=org, kind=kind, channel="fax", opened_on=self.day)
        app = self.app.open_application(self.actor, command).id
        tenant.apps[app] = (org, kind)

    def _move_application(self, tenant: _Tenant) -> None:
        if not tenant.apps:
            raise DomainError("no application yet")
        app = self.rng.choice(list(tenant.apps))
        org, kind = tenant.apps[app]
        status = self.app.get_application(self.actor, app).status
        if status == "open":
            submit = SubmitApplication(submitted_on=self.day, override_reason="workload")
            self.app.submit_application(self.actor, app, submit)
        elif status == "deficient":
            deficiency = tenant.deficiencies.pop(app)
            self.app.resolve_deficiency(self.actor, app, deficiency, ResolveDeficiency(resolved_on=self.day))
        elif status == "submitted":
            roll = self.rng.random()
            if roll < 0.25:
                tenant.deficiencies[app] = f"d{self.rng.randrange(10**6)}"
                notice = NoticeDeficiency(
                    deficiency_id=tenant.deficiencies[app], missing_items=["signed form"], noticed_on=self.day
                )
                self.app.notice_deficiency(self.actor, app, notice)
            elif roll < 0.8:
                self.app.approve_application(self.actor, app, ApproveApplication(decided_on=self.day))
                if kind == "primary_user_modification":
                    tenant.modifications[org] = app
            elif roll < 0.9:
                self.app.deny_application(self.actor, app, DenyApplication(decided_on=self.day))
            else:
                self.app.reject_application(
                    self.actor, app, RejectApplication(rejected_on=self.day, cause="NPPES mismatch")
                )
        else:
            raise DomainError("closed")

    def _replace_primary(self, tenant: _Tenant) -> None:
        org = self._org(tenant)
        if org not in tenant.modifications:
            raise DomainError("no approved POSC-DC-PM")
        modification = tenant.modifications.pop(org)
        command = ReplacePrimaryUser(person_name="New Primary", modification_id=modification, on=self.day)
        saved = self.app.replace_primary_user(self.actor, org, command)
        tenant.primary[org] = saved.id
        tenant.accounts.setdefault(org, []).append(saved.id)

    def _affiliate(self, tenant: _Tenant) -> None:
        org = self._org(tenant)
        kind, plan = self.rng.choice(PLANS)
        request = RequestAffiliation(kind=PlanKind(kind), plan=plan, partner_mco=None, on=self.day)
        self.app.request_affiliation(self.actor, org, request)
        tenant.affiliations.setdefault(org, []).append(plan)

    def _move_affiliation(self, tenant: _Tenant) -> None:
        org = self._org(tenant)
        if not tenant.affiliations.get(org):
            raise DomainError("no affiliation yet")
        to = self.rng.choice([s for s in AffiliationState if s is not AffiliationState.REQUESTED])
        move = MoveAffiliation(plan=self.rng.choice(tenant.affiliations[org]), to=to, on=self.day)
        self.app.move_affiliation(self.actor, org, move)

    def _provider_number(self, tenant: _Tenant) -> None:
        number = f"{self.rng.randrange(10**7):07d}"
        issue = IssueProviderNumber(provider_number=number, issued_on=self.day)
        self.app.issue_provider_number(self.actor, self._org(tenant), issue)
