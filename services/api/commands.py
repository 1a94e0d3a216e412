"""What every command route shares: the use case off the event loop, If-Match, Idempotency-Key, ETag.

A route decodes its body into the command's typed value and hands the use case, a bound method of the application
service, to ``CommandRunner.run``; the runner (a Litestar dependency, ``command``) adds who acts, the If-Match
version and the Idempotency-Key, and shapes the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException

from services.app import Credledger
from services.app.base import Actor
from services.store.idempotency import Saved

T = TypeVar("T")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces
# Answered with every command: the store position of its last event, for GET /v1/views/freshness?position=.
POSITION_HEADER = "Credledger-Position"


class SavedOut(msgspec.Struct):
    id: UUID
    version: int


async def call(use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """eventsourcing is synchronous: run the use case in a worker thread."""
    return await anyio.to_thread.run_sync(partial(use_case, *args, **kwargs))


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version named by If-Match (the ETag we sent), or None when absent or ``*``."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    # ASCII digits only (isdigit() also takes "²", which int() refuses), at most a bigint: short-circuited so
    # int() never sees a digit string too long for it.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= 2**63 - 1):
        raise ValidationException(
            'If-Match must be an ETag returned by this API, e.g. "3".',
            extra=[{"key": "If-Match", "message": "not a version ETag", "source": "header"}],
        )
    return int(raw)


@dataclass
class CommandRunner:
    """Runs one request's command: the ``command`` dependency of every command route."""

    request: Request[Any, Any, Any]
    credledger: Credledger

    async def run(
        self,
        use_case: Callable[..., Saved],
        *args: Any,
        created: str | None = None,
        conditional: bool = True,
    ) -> Response[SavedOut]:
        """Run ``use_case(actor, *args)`` and answer with the saved id and version.

        ``created``: the collection path of what the command creates (answer 201 with Location). ``conditional``:
        the command acts on an existing aggregate, whose version If-Match may name. An Idempotency-Key makes a
        retry answer the first result without a second event; the same key with another request is a 422.
        """
        actor: Actor = self.request.user.actor
        kwargs = {"expected_version": expected_version(self.request)} if conditional else {}
        result, replayed = await self.keyed(partial(use_case, actor, *args, **kwargs))
        response = saved(result, created=created)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    async def keyed(self, command: Callable[[], Saved]) -> tuple[Saved, bool]:
        """Run the command under the request's Idempotency-Key, if it has one: the command's answer, and whether it
        is the answer of an earlier request with this key (then nothing ran)."""
        key = self.request.headers.get("idempotency-key")
        if key is None:
            return await call(command), False
        if not _KEY.fullmatch(key):
            raise ValidationException(
                "Idempotency-Key is 1-255 printable ASCII characters.",
                extra=[{"key": "Idempotency-Key", "message": "invalid key", "source": "header"}],
            )
        tenant_id = self.request.user.actor.tenant_id
        idempotency = self.credledger.idempotency
        body = await self.request.body()
        request = f"{self.request.method} {self.request.url.path}\n".encode() + body
        fingerprint = idempotency.fingerprint(tenant_id, request)
        return await call(idempotency.run, tenant_id, key, fingerprint, command)


async def command_runner(request: Request[Any, Any, Any], credledger: NamedDependency[Credledger]) -> CommandRunner:
    return CommandRunner(request, credledger)


def saved(result: Saved, *, created: str | None = None) -> Response[SavedOut]:
    headers = {"ETag": etag(result.version)}
    if result.position is not None:
        headers[POSITION_HEADER] = str(result.position)
    if created:
        headers["Location"] = f"{created}/{result.id}"
    return Response(
        SavedOut(id=result.id, version=result.version), status_code=201 if created else 200, headers=headers
    )


def found(view: T) -> Response[T]:
    return Response(view, headers={"ETag": etag(view.version)})  # type: ignore[attr-defined]
