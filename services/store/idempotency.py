"""Idempotency-Keys, as one component of the store: check a key, claim it with the command's events, replay.

A client may send a command again with the same ``Idempotency-Key`` (a retry after a lost answer). The first
command to commit under a key records the key, a keyed fingerprint of its request and its answer, in the same
transaction as its events (the recorder's ``_claim``): both land, or neither. A retry is answered that first
answer without a second event; the same key with another request is refused (422 ``idempotency-key-reused``).

``run`` does the three steps in order, in the caller's thread: check for a previous answer; otherwise run the
command with the key claimed (a context variable the application's ``record`` reads, so the key never rides on
the command's arguments or on who sent it); and if a concurrent retry with the same key committed first
(``KeyAlreadyUsed``), check again and replay its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from domain.errors import RuleViolation
from services.store.pii import Keyring
from services.store.recorder import TENANT_SETTING, IdempotencyRecord, KeyAlreadyUsed


@dataclass(frozen=True)
class Saved:
    """What a command answers: the aggregate it saved (the first, when it saved several) and its version."""

    id: UUID
    version: int
    # The store position (notification id) of the command's last event: the views include the command
    # once they have reached it (GET /v1/views/freshness). None: not known (an Idempotency-Key recorded
    # before positions were kept with it).
    position: int | None = None
    # More of the answer, kept with the key for a retry (an import's refs and counts); None for one command.
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class PreviousResult:
    fingerprint: str
    saved: Saved


@dataclass(frozen=True)
class Claim:
    key: str
    fingerprint: str
    details: dict[str, Any] | None = None  # kept with the answer (Saved.details), when the command has more

    def record_for(self, aggregate_id: UUID, version: int) -> IdempotencyRecord:
        """What the recorder stores with the events (it appends the position once they have one)."""
        answer: list[Any] = [str(aggregate_id), version]
        return IdempotencyRecord(self.key, self.fingerprint, [*answer, self.details] if self.details else answer)


# The key being claimed by the command running in this context (a thread of the API's pool), if any.
_claimed: ContextVar[Claim | None] = ContextVar("credledger_idempotency_claim", default=None)


def current_claim() -> Claim | None:
    return _claimed.get()


@contextmanager
def claiming(claim: Claim) -> Iterator[None]:
    token = _claimed.set(claim)
    try:
        yield
    finally:
        _claimed.reset(token)


class Idempotency:
    """Check, claim and replay Idempotency-Keys over the store's connection pool."""

    def __init__(self, datastore: Any, keyring: Keyring | None) -> None:
        self._datastore = datastore
        self._keyring = keyring

    def fingerprint(self, tenant_id: str, request: bytes) -> str:
        """A keyed hash of a command's request (method, path and body), recorded with its key."""
        if self._keyring is None:  # a bug: only the API records keys, and it always has the master key
            raise RuntimeError("Idempotency-Keys need the master key (CREDLEDGER_MASTER_KEY).")
        return self._keyring.fingerprint(tenant_id, request)

    def check(self, tenant_id: str, key: str) -> PreviousResult | None:
        """What a command with this key answered, if one committed."""
        # COMMIT, not ROLLBACK: psycopg forgets a connection's prepared statements on a rollback.
        with self._datastore.transaction(commit=True) as curs:
            curs.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, tenant_id))
            curs.execute(
                "SELECT fingerprint, response FROM idempotency_keys WHERE tenant_id = %s AND key = %s",
                (tenant_id, key),
            )
            row = curs.fetchone()
        if row is None:
            return None
        aggregate_id, version, *rest = msgspec.json.decode(bytes(row["response"]))
        details = rest.pop(0) if rest and isinstance(rest[0], dict) else None
        position = rest[0] if rest else None  # absent from a key recorded before positions were kept
        return PreviousResult(row["fingerprint"], Saved(UUID(aggregate_id), version, position, details))

    def run(self, tenant_id: str, key: str, fingerprint: str, command: Callable[[], Saved]) -> tuple[Saved, bool]:
        """The command's answer and whether it is a replay of an earlier one under this key."""
        previous = self.check(tenant_id, key)
        if previous is None:
            try:
                with claiming(Claim(key, fingerprint)):
                    return command(), False
            except KeyAlreadyUsed:  # a concurrent retry with the same key committed first
                previous = self.check(tenant_id, key)
                assert previous is not None, "a used key is recorded in its command's transaction"
        return replay(previous, fingerprint), True


def replay(previous: PreviousResult, fingerprint: str) -> Saved:
    """The first answer again, if the request is the same one."""
    if previous.fingerprint != fingerprint:
        raise RuleViolation(
            "idempotency-key-reused", "This Idempotency-Key was used with a different request; use a new key."
        )
    return previous.saved
