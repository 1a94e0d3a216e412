"""Task: one item of a specialist's work queue, and what the firm's staff did about it.

What there is to do is derived from the records (projections/work_queue: a deficiency to answer, an application to
follow up, a form to mail, a credential to renew, a suspected exclusion match to review); a task is named by its
cause, so the same cause is the same task in every view, rebuild and replay. This aggregate holds only what people
decide about it: who has it, until when it waits, and that it is done or dismissed, and why. Its first event, made
by the first of those acts, records the cause it was derived from, so its history stands on its own.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import TenantAggregate, check_tenant_id, check_text, require_reason
from domain.errors import RuleViolation


class TaskKind(StrEnum):
    DEFICIENCY_ANSWER = "deficiency_answer"  # the client owes the payer an answer to a deficiency notice
    APPLICATION_FOLLOW_UP = "application_follow_up"  # submitted: follow it up with the payer by its due date
    MAIL_FORM = "mail_form"  # a form to be sent by mail (POSC-DC-PE may go by fax or mail, never the portal)
    CREDENTIAL_RENEWAL = "credential_renewal"  # a clinician's credential or a practice's document expires
    EXCLUSION_REVIEW = "exclusion_review"  # a suspected exclusion-list match to confirm or clear
    REVALIDATION_LETTER = "revalidation_letter"  # MassHealth asked to revalidate: answer by the letter's date


class Resolution(StrEnum):
    COMPLETED = "completed"
    DISMISSED = "dismissed"  # nothing to do after all: the reason says why


def task_id(tenant_id: str, cause: str) -> UUID:
    """Deterministic: a task is found from its cause (``deficiency:<application>:<deficiency>``, ...)."""
    return uuid5(NAMESPACE_URL, f"credledger:task:{tenant_id}:{cause}")


class Task(TenantAggregate):
    class EffectiveDateCorrected(TenantAggregate.EffectiveDateCorrected): ...  # domain/date_corrections.py

    @classmethod
    def open(cls, *, tenant_id: str, organization_id: UUID, kind: TaskKind, cause: str, on: date, actor: str) -> Task:
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            kind=TaskKind(kind),
            cause=check_text(cause, field="cause", max_length=300),
            on=on,
            actor=actor,
            reason=None,
        )

    @staticmethod
    def create_id(tenant_id: str, organization_id: UUID, kind: TaskKind, cause: str, **_: object) -> UUID:
        return task_id(tenant_id, cause)  # called by eventsourcing with the creation's arguments

    class Opened(TenantAggregate.Created):
        """The first act on a task derived from ``cause``, which belongs to ``organization_id``."""

        effective_field = "on"
        tenant_id: str
        organization_id: UUID
        kind: TaskKind
        cause: str
        on: date
        actor: str
        reason: str | None

    @event(Opened)
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        kind: TaskKind,
        cause: str,
        on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.kind = kind
        self.cause = cause
        self.assignee: str | None = None
        self.snoozed_until: date | None = None
        self.resolution: tuple[Resolution, date] | None = None

    def _check_open(self) -> None:
        if self.resolution is not None:
            outcome, day = self.resolution
            raise RuleViolation("task-closed", f"The task was {outcome} on {day}.")

    # --- who has it -------------------------------------------------------------------------------

    def assign(self, *, assignee: str, on: date, actor: str, reason: str | None = None) -> None:
        self._check_open()
        assignee = check_text(assignee, field="assignee")
        if assignee == self.assignee:
            raise RuleViolation("task-unchanged", f"The task is {assignee}'s already.")
        self._assigned(assignee=assignee, on=on, actor=actor, reason=reason)

    class Assigned(TenantAggregate.Event):
        effective_field = "on"
        touches = ("assignee",)
        assignee: str
        on: date
        actor: str
        reason: str | None

    @event(Assigned)
    def _assigned(self, assignee: str, on: date, actor: str, reason: str | None) -> None:
        self.assignee = assignee

    # --- until when it waits ------------------------------------------------------------------------

    def snooze(self, *, until: date, on: date, actor: str, reason: str | None = None) -> None:
        self._check_open()
        if until <= on:
            raise RuleViolation("snooze-not-after", f"A task snoozed on {on} waits until a later day, not {until}.")
        self._snoozed(until=until, on=on, actor=actor, reason=reason)

    class Snoozed(TenantAggregate.Event):
        effective_field = "on"
        touches = ("snooze",)
        until: date
        on: date
        actor: str
        reason: str | None

    @event(Snoozed)
    def _snoozed(self, until: date, on: date, actor: str, reason: str | None) -> None:
        self.snoozed_until = until

    # --- done ---------------------------------------------------------------------------------------

    def resolve(self, *, resolution: Resolution, on: date, actor: str, reason: str | None = None) -> None:
        """Completed (a reason optional) or dismissed (a reason required)."""
        self._check_open()
        resolution = Resolution(resolution)
        if resolution is Resolution.DISMISSED:
            require_reason(reason, "Say why the task needs nothing done.")
        self._resolved(resolution=resolution, on=on, actor=actor, reason=reason)

    class Resolved(TenantAggregate.Event):
        effective_field = "on"
        resolution: Resolution
        on: date
        actor: str
        reason: str | None

    @event(Resolved)
    def _resolved(self, resolution: Resolution, on: date, actor: str, reason: str | None) -> None:
        self.resolution = (resolution, on)
