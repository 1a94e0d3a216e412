"""The machinery of a practice's simulation: actions scheduled on business dates and run in date order, a mirror
of the state the domain enforces (accounts, applications), and the payer's side of every application (submission,
deficiencies that stop the payer's clock while the client answers, decision)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.dossier import DocumentType
from services.app import Credledger
from services.app.catalog import UseCase, command_type
from services.app.commands import effective_field
from services.workload.plan import FAR, Firm, Ref, Staff, Step
from services.workload.traits import Traits


@dataclass
class Account:
    ref: Ref
    name: str
    role: str
    opened: date
    active: bool = True
    departed: date | None = None
    grants: list[str] = field(default_factory=list)
    catchable: bool = True  # an access review notices if the person left
    backup: bool = False  # named (or about to be) the back-up primary user
    backup_named: bool = False  # the naming is recorded
    dormant: bool = False  # an ID nobody uses: no login is ever recorded for it
    last_login: date | None = None
    engagement_ended: bool = False  # a business partner's


@dataclass
class Person:
    """An owner or managing employee disclosed (owners.py)."""

    ref: Ref
    role: str
    percent: Decimal | None


@dataclass
class App:
    ref: Ref
    kind: str
    status: str = "open"  # open | submitted | deficient | approved | denied | withdrawn
    docs: dict[str, DocumentType] = field(default_factory=dict)  # current documents: id -> type
    open_deficiencies: set[str] = field(default_factory=set)
    deficiency_count: int = 0
    doc_count: int = 0
    screened: int = 0  # screenings recorded (those the workload counts: a second office's)

    @property
    def closed(self) -> bool:
        return self.status in ("approved", "denied", "withdrawn")


class Lifecycle:
    """Scheduling and emitting, and the payer's side of applications. The practice's own acts are in People
    (accounts), Filings (applications) and Practice (onboarding, profile, NPPES), all over this shared state."""

    org: Ref  # the organization, once registered

    def __init__(self, firm: Firm, index: int, traits: Traits, seed: int) -> None:
        self.firm, self.index, self.t = firm, index, traits
        self.rng = random.Random(f"credledger-workload:{seed}:{firm.tenant}:{index}")
        # The owners' own draws (owners.py): a stream of their own, so disclosing them leaves the rest of the
        # practice's life as it was drawn before.
        self.owner_rng = random.Random(f"credledger-workload-owners:{seed}:{firm.tenant}:{index}")
        self.activity_rng = random.Random(f"credledger-workload-activity:{seed}:{firm.tenant}:{index}")  # activity.py
        self.location_rng = random.Random(f"credledger-workload-locations:{seed}:{firm.tenant}:{index}")
        self.clinician_rng = random.Random(f"credledger-workload-clinicians:{seed}:{firm.tenant}:{index}")
        # SAM, once screened quarterly here, is screened monthly: the draws of the months it was skipped come from
        # here (practice.py), so the rest of the practice's life is drawn as before, but where such a draw raises a
        # suspicion (about 1 in 80), whose review is scheduled from the practice's own stream.
        self.screening_rng = random.Random(f"credledger-workload-screenings:{seed}:{firm.tenant}:{index}")
        self.cal, self.end = firm.cal, firm.end
        self.steps: list[Step] = []
        self.queue: list[tuple[date, int, Callable[..., None], tuple[Any, ...]]] = []
        self.seq = 0
        self.accounts: list[Account] = []
        self.primary: Account | None = None
        self.pin = False
        self.enrolled_on: date | None = None  # provider number issued
        self.provider_number: str | None = None  # the number MassHealth issued, or reissued
        self.issued: date = FAR  # a client enrolled for years: the day MassHealth issued its provider number
        self.enrollment_due: date = FAR  # when the enrollment will be approved, once known
        self.affiliations: dict[str, str] = {}  # plan -> state
        # Exclusion lists with a suspected match under review: "oig_leie", or "disclosure#2:oig_leie" for a person.
        self.suspected: set[str] = set()
        self.people: list[Person] = []  # owners and managing employees disclosed, current
        # Confirmed exclusion matches, never cleared: "oig_leie" (the practice's), "disclosure#2:oig_leie" (a person's).
        self.confirmed: set[str] = set()
        self.staffed = False  # subordinates and partners set up (a replacement primary user finds them there)
        self.rejected = False  # POSC returned the registration unprocessed once
        self.enrollment: App | None = None
        self.rendering: list[Ref] = []  # the clinicians rendering at the practice now (clinician_applications.py)

    # --- the machinery -----------------------------------------------------------------------------------

    def onboard(self, day: date) -> None:
        raise NotImplementedError

    def exclusion_before_decision(self, decided: date) -> None:
        raise NotImplementedError  # owners.py

    def credential_clinicians(self, day: date, plan: str) -> None:
        raise NotImplementedError  # clinician_applications.py

    def run(self) -> list[Step]:
        self.at(self.t.onboard, self.onboard)
        while self.queue:
            day, _, action, args = heapq.heappop(self.queue)
            action(day, *args)
        return self.steps

    def at(self, day: date, action: Callable[..., None], *args: Any) -> None:
        if day <= self.end:
            heapq.heappush(self.queue, (day, self.seq, action, args))
            self.seq += 1

    def later(self, day: date, low: int, high: int) -> date:
        return self.cal.add(day, self.rng.randint(low, high))

    def emit(
        self,
        day: date,
        use_case: UseCase,
        *ids: Ref | str,
        creates: Ref | None = None,
        staff: Staff | None = None,
        refusal: str | None = None,
        **fields: Any,
    ) -> None:
        """Plan ``use_case(actor, *ids, <its command>(**fields))`` on ``day``, by the practice's handler unless
        ``staff`` says who."""
        staff = staff or self.firm.handler(self.index, day)
        # A fact takes effect the day the plan has it happen, unless the step dates it otherwise (history recorded
        # at onboarding): the command's business day is never left to default to the day the plan is run.
        day_field = effective_field(command_type(use_case))
        if day_field is not None:
            fields.setdefault(day_field, day)
        self.steps.append(Step(day, self.firm.tenant, staff.user, staff.role, use_case, ids, fields, creates, refusal))

    # --- applications: the payer's side ------------------------------------------------------------------

    def open_app(self, day: date, kind: str, channel: str, plan: str | None = None, reason: str | None = None) -> App:
        app = App(self.firm.ref("application"), kind)
        fields: dict[str, Any] = dict(organization_id=self.org, kind=kind, channel=channel, reason=reason)
        if plan is not None:
            fields["plan"] = plan
        self.emit(day, Credledger.open_application, creates=app.ref, **fields)
        return app

    def attach(self, day: date, app: App, doc_type: DocumentType, supersede: bool = False) -> None:
        if app.closed:
            return
        app.doc_count += 1
        doc_id = f"{doc_type.value.replace('_', '-')}-{app.doc_count}"
        extra: dict[str, Any] = {}
        if doc_type is DocumentType.LICENSE:
            extra["expires_on"] = day + timedelta(days=self.rng.randrange(300, 800))
        elif doc_type is DocumentType.LIABILITY_COI:
            limits = self.rng.choice(((1_000_000, 3_000_000), (1_000_000, 3_000_000), (2_000_000, 4_000_000)))
            extra.update(
                expires_on=day + timedelta(days=365), per_occurrence_limit=limits[0], aggregate_limit=limits[1]
            )
        elif doc_type is DocumentType.DEA:
            extra.update(expires_on=day + timedelta(days=self.rng.randrange(400, 1095)), dea_state="MA")
        supersedes = None
        if supersede:
            supersedes = next((i for i, t in app.docs.items() if t is doc_type), None)
        fields = dict(document_id=doc_id, type=doc_type, received_on=day, **extra)  # AttachDocument's, flat
        self.emit(day, Credledger.attach_document, app.ref, **fields, supersedes=supersedes)
        if supersedes is not None:
            del app.docs[supersedes]
        app.docs[doc_id] = doc_type

    def dossier(
        self, day: date, app: App, types: list[DocumentType], spread: int, early: Callable[..., None] | None = None
    ) -> date:
        """Schedule the documents' arrival over ``spread`` business days; returns the last arrival. ``early`` runs on
        that day just before the last document is attached (a submission that comes too soon)."""
        arrivals = [(self.later(day, 0, spread), doc_type) for doc_type in types]
        last = max(arrives for arrives, _ in arrivals)
        if early is not None:
            self.at(last, early, app)
        for arrives, doc_type in arrivals:
            self.at(arrives, self.attach, app, doc_type)
        return last

    def payer(
        self,
        app: App,
        submitted: date,
        days: int,
        deficiencies: list[tuple[list[str], DocumentType | None]],
        decide: Callable[[date], None],
        *,
        client: tuple[int, int] = (3, 20),
        withdraw_at: int | None = None,
    ) -> date:
        """The payer's processing: ``days`` business days of its own, stopped by each deficiency while the client
        answers; then ``decide`` runs on the decision date (returned). Business days from submission to decision
        are thus exactly ``days`` plus the client's days."""
        client_total, used = 0, 0
        positions = sorted(self.rng.sample(range(1, max(2, days)), min(len(deficiencies), max(0, days - 1))))
        for (items, fix), position in zip(deficiencies, positions, strict=False):
            noticed = self.cal.add(submitted, position + client_total)
            answer = self.rng.randint(*client)
            resolved = self.cal.add(noticed, answer)
            client_total += answer
            app.deficiency_count += 1
            deficiency_id = f"{app.ref.number}-d{app.deficiency_count}"
            self.at(noticed, self.notice, app, deficiency_id, items)
            self.at(resolved, self.resolve, app, deficiency_id, fix)
            used = position
        decided = self.cal.add(submitted, days + client_total)
        if withdraw_at is not None and withdraw_at > used:
            self.at(self.cal.add(submitted, withdraw_at + client_total), self.withdraw, app)
        self.at(decided, self.decided, app, decide)
        return decided

    def notice(self, day: date, app: App, deficiency_id: str, items: list[str]) -> None:
        if app.status not in ("submitted", "deficient"):
            return
        self.emit(
            day,
            Credledger.notice_deficiency,
            app.ref,
            deficiency_id=deficiency_id,
            missing_items=list(items),
            noticed_on=day,
            reason="Deficiency letter received",
        )
        app.open_deficiencies.add(deficiency_id)
        app.status = "deficient"

    def resolve(self, day: date, app: App, deficiency_id: str, fix: DocumentType | None) -> None:
        if deficiency_id not in app.open_deficiencies or app.status != "deficient":
            return
        if fix is not None:
            self.attach(day, app, fix, supersede=fix is not DocumentType.LICENSE)
        self.emit(
            day,
            Credledger.resolve_deficiency,
            app.ref,
            deficiency_id,
            resolved_on=day,
            reason="Client sent what was missing",
        )
        app.open_deficiencies.discard(deficiency_id)
        if not app.open_deficiencies:
            app.status = "submitted"

    def decided(self, day: date, app: App, decide: Callable[[date], None]) -> None:
        if app.status == "submitted":
            decide(day)

    def withdraw(self, day: date, app: App) -> None:
        if app.closed:
            return
        self.emit(
            day,
            Credledger.withdraw_application,
            app.ref,
            withdrawn_on=day,
            reason="The client is selling the practice and withdrew",
        )
        app.status = "withdrawn"

    def approve(self, day: date, app: App, reason: str, **extra: Any) -> None:
        self.emit(day, Credledger.approve_application, app.ref, decided_on=day, reason=reason, **extra)
        app.status = "approved"

    def deny(self, day: date, app: App, reason: str) -> None:
        self.emit(day, Credledger.deny_application, app.ref, decided_on=day, reason=reason)
        app.status = "denied"

    def submit(self, day: date, app: App, reason: str, override: str | None = None) -> None:
        extra = {"override_reason": override} if override else {}
        self.emit(day, Credledger.submit_application, app.ref, submitted_on=day, reason=reason, **extra)
        app.status = "submitted"

    def confirm_receipt(self, day: date, app: App) -> None:
        if app.status != "submitted":
            return
        self.emit(day, Credledger.confirm_receipt, app.ref, received_on=day, reason="USPS tracking: delivered")

    def draw(self, low: int, high: int, late: float, late_high: int) -> int:
        """Business days the payer takes: mostly within [low, high], a share ``late`` of them beyond."""
        return self.rng.randint(high + 1, late_high) if self.rng.random() < late else self.rng.randint(low, high)
