"""The access log of one record (an organization, a user account, an application) or of the firm:
who read its personal data, and which attempts to act on it were refused, with when and why.

Kept as events in the store like every change, so it is covered by the tenant's hash chain and
appears in the record's history; kept apart from the record itself, so a read never changes the
record's version (its ETag) and never conflicts with a writer.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import TenantAggregate, check_tenant_id, check_text
from domain.text import escape_text


def access_log_id(tenant_id: str, subject_id: UUID | None) -> UUID:
    """Deterministic: the log of a record is found from the record's id (None: the firm's own log)."""
    return uuid5(NAMESPACE_URL, f"credledger:access-log:{tenant_id}:{subject_id or 'tenant'}")


class AccessLog(TenantAggregate):
    @classmethod
    def open(cls, *, tenant_id: str, subject_id: UUID | None, actor: str) -> AccessLog:
        return cls(tenant_id=check_tenant_id(tenant_id), subject_id=subject_id, actor=actor, reason=None)

    @staticmethod
    def create_id(tenant_id: str, subject_id: UUID | None) -> UUID:  # called by eventsourcing with init's args
        return access_log_id(tenant_id, subject_id)

    class Opened(TenantAggregate.Created):
        tenant_id: str
        subject_id: UUID | None
        actor: str
        reason: str | None

    @event(Opened)
    def __init__(self, tenant_id: str, subject_id: UUID | None, actor: str, reason: str | None) -> None:
        self.tenant_id = tenant_id
        self.subject_id = subject_id

    def record_personal_data_read(self, *, fields: list[str], actor: str, actor_role: str, reason: str) -> None:
        """``reason`` is the purpose the reader gave; ``fields`` names what was shown, never its value."""
        self._personal_data_read(
            fields=sorted(fields), actor_role=actor_role, actor=actor, reason=check_text(reason, field="purpose")
        )

    class PersonalDataRead(TenantAggregate.Event):
        fields: list[str]
        actor_role: str
        actor: str
        reason: str

    @event(PersonalDataRead)
    def _personal_data_read(self, fields: list[str], actor_role: str, actor: str, reason: str) -> None:
        pass

    def record_refusal(self, *, action: str, actor: str, actor_role: str, reason: str) -> None:
        """``action`` and ``reason`` are composed by the server, the action from the request's path: escaped
        (domain/text.py) rather than refused, so a refusal is recorded whatever the path held."""
        self._access_refused(
            action=escape_text(action, multiline=False), actor_role=actor_role, actor=actor, reason=escape_text(reason)
        )

    class AccessRefused(TenantAggregate.Event):
        action: str
        actor_role: str
        actor: str
        reason: str

    @event(AccessRefused)
    def _access_refused(self, action: str, actor_role: str, actor: str, reason: str) -> None:
        pass
