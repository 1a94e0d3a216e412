"""What every command route shares: running a use case off the event loop, If-Match, ETag."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, TypeVar
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException

from services.app.base import Saved

T = TypeVar("T")


class Command(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every command body: unknown fields are rejected, and a reason may be given."""

    reason: str | None = msgspec.field(default=None)


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
    if not raw.isdigit():
        raise ValidationException(
            'If-Match must be an ETag returned by this API, e.g. "3".',
            extra=[{"key": "If-Match", "message": "not a version ETag", "source": "header"}],
        )
    return int(raw)


def saved(result: Saved, *, status: int = 200, location: str | None = None) -> Response[SavedOut]:
    headers = {"ETag": etag(result.version)}
    if location:
        headers["Location"] = location
    return Response(SavedOut(id=result.id, version=result.version), status_code=status, headers=headers)


def found(view: T) -> Response[T]:
    return Response(view, headers={"ETag": etag(view.version)})  # type: ignore[attr-defined]
