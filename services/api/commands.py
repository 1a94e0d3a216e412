"""What every command route shares: the use case off the event loop, If-Match, Idempotency-Key, ETag."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from typing import Annotated, Any, Callable, TypeVar
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException

from domain.errors import RuleViolation
from services.app.base import PreviousResult, Saved
from services.store.recorder import KeyAlreadyUsed

T = TypeVar("T")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces
# Answered with every command: the store position of its last event, for GET /v1/views/freshness?position=.
POSITION_HEADER = "Credledger-Position"


# Bounded so that no event can outgrow a NATS message (1 MB by default).
Reason = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,
        description="Why, in a sentence or two (up to 2,000 characters): recorded with the event in the record's "
        "compliance history, where auditors read it.",
        examples=["faxed the signed POSC-DC-PE today"],
    ),
]


class Command(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every command body: unknown fields are rejected, and a reason may be given."""

    reason: Reason | None = None


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


def fields(data: msgspec.Struct) -> dict[str, Any]:
    """A command body's fields as keyword arguments for its use case."""
    return {name: getattr(data, name) for name in data.__struct_fields__}


async def execute(
    request: Request,
    use_case: str,
    *args: Any,
    created: str | None = None,
    conditional: bool = True,
    **kwargs: Any,
) -> Response[SavedOut]:
    """Run a command's use case and answer with the saved id and version.

    ``created``: the collection path of what the command creates (answer 201 with
    Location). ``conditional``: the command acts on an existing aggregate, whose
    version If-Match may name. An Idempotency-Key makes a retry answer the first
    result without a second event; the same key with another request is a 422.
    """
    service = request.app.state.credledger
    actor = request.user.actor
    if conditional:
        kwargs["expected_version"] = expected_version(request)
    key = request.headers.get("idempotency-key")
    fingerprint = ""
    if key is not None:
        if not _KEY.fullmatch(key):
            raise ValidationException(
                "Idempotency-Key is 1-255 printable ASCII characters.",
                extra=[{"key": "Idempotency-Key", "message": "invalid key", "source": "header"}],
            )
        body = await request.body()
        fingerprint = service.request_fingerprint(actor, f"{request.method} {request.url.path}\n".encode() + body)
        previous = await call(service.previous_result, actor, key)
        if previous is not None:
            return _replay(previous, fingerprint, created)
        actor = replace(actor, idempotency=(key, fingerprint))
    try:
        result = await call(getattr(service, use_case), actor, *args, **kwargs)
    except KeyAlreadyUsed:  # a concurrent retry with the same key committed first
        previous = await call(service.previous_result, actor, key)
        assert previous is not None
        return _replay(previous, fingerprint, created)
    return saved(result, created=created)


def _replay(previous: PreviousResult, fingerprint: str, created: str | None) -> Response[SavedOut]:
    if previous.fingerprint != fingerprint:
        raise RuleViolation(
            "idempotency-key-reused", "This Idempotency-Key was used with a different request; use a new key."
        )
    response = saved(previous.saved, created=created)
    response.headers["Idempotent-Replayed"] = "true"
    return response


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
