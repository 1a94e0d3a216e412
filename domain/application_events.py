"""Application's events: what each one records, field by field, so that a type checker knows them.

As with domain/organization_events.py: Application's body subclasses each one (``class Submitted(
application_events.Submitted): ...``), and from that class eventsourcing derives the one it records,
``Application.Submitted``, whose topic (``domain.application:Application.Submitted``) stored events, NATS subjects
and views carry; no event is recorded as one of the classes here. Each class's fields are the parameters of its
event method on Application: the same names, in the same order, with the same types.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.application_values import ApplicationKind, Channel, ScreeningKind
from domain.base import TenantAggregate
from domain.business_time import dated_upcast
from domain.dossier import Document
from domain.organization_values import RiskLevel


class Opened(TenantAggregate.Created):
    class_version = 4
    effective_field = "opened_on"
    upcast_v1_v2 = dated_upcast("opened_on")
    upcast_v2_v3 = staticmethod(lambda state: state.update(service_location="A"))  # before locations: the main one
    upcast_v3_v4 = staticmethod(lambda state: state.update(practitioner_id=None))  # before clinicians: the practice's
    tenant_id: str
    organization_id: UUID
    kind: ApplicationKind
    channel: Channel
    risk_level: RiskLevel
    plan: str | None
    opened_on: date
    actor: str
    reason: str | None
    service_location: str  # the letter of the PID/SL it is for (domain/service_locations.py)
    practitioner_id: UUID | None  # a clinician's own application, made through the practice (None: the practice's)


class DocumentAttached(TenantAggregate.Event):
    effective_field = "document.received_on"
    touches = ("document:{document.type}",)  # a document supersedes only one of its type
    document: Document
    supersedes: str | None
    actor: str
    reason: str | None


class Submitted(TenantAggregate.Event):
    class_version = 2
    effective_field = "submitted_on"
    submitted_on: date
    overridden_mismatches: list[str]
    override_reason: str | None
    actor: str
    reason: str | None
    received_on: date | None  # the payer's receipt, where its clock starts (None: a mailed form, not confirmed yet)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Before receipts were kept the clock ran from the submission: as if received that day.
        state["received_on"] = state["submitted_on"]


class ReceiptConfirmed(TenantAggregate.Event):
    effective_field = "received_on"
    # Its own part: a delivery confirmed late may predate a document or a screening recorded before it (the payer's
    # acts touch the whole record, so none can predate it).
    touches = ("receipt",)
    received_on: date
    actor: str
    reason: str | None


class DeficiencyNoticed(TenantAggregate.Event):
    effective_field = "noticed_on"
    deficiency_id: str
    missing_items: list[str]
    noticed_on: date
    actor: str
    reason: str | None


class DeficiencyResolved(TenantAggregate.Event):
    effective_field = "resolved_on"
    deficiency_id: str
    resolved_on: date
    actor: str
    reason: str | None


class ScreeningCompleted(TenantAggregate.Event):
    effective_field = "completed_on"
    touches = ("screening:{screening}",)
    screening: ScreeningKind
    passed: bool
    completed_on: date
    actor: str
    reason: str | None


class Approved(TenantAggregate.Event):
    effective_field = "decided_on"
    decided_on: date
    provider_number: str | None
    effective_date: date | None
    actor: str
    reason: str | None


class Denied(TenantAggregate.Event):
    effective_field = "decided_on"
    decided_on: date
    actor: str
    reason: str | None


class Rejected(TenantAggregate.Event):
    effective_field = "rejected_on"
    rejected_on: date
    cause: str
    actor: str
    reason: str | None


class Withdrawn(TenantAggregate.Event):
    effective_field = "withdrawn_on"
    withdrawn_on: date
    actor: str
    reason: str | None
