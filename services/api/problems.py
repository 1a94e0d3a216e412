"""RFC 9457 problem details for every error, with the broken rule named in ``type``."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import msgspec
import psycopg
from eventsourcing import persistence
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import DomainError, InvalidValue
from services.app.base import NotFound, VersionConflict
from services.store.pii import KeyDestroyed

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:credledger:problem:"


class FieldError(msgspec.Struct):
    field: str
    reason: str


class Problem(msgspec.Struct):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError]


def problem(
    request: Request,
    status: int,
    rule: str,
    title: str,
    detail: str,
    errors: list[FieldError] = (),  # type: ignore[assignment]
    headers: dict[str, str] | None = None,
) -> Response:
    body = Problem(
        type=TYPE_PREFIX + rule,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors),
    )
    return Response(content=body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _validation_errors(extra: Any) -> list[FieldError]:
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "$")
            errors.append(FieldError(field=field, reason=str(item.get("message", ""))))
    return errors


def on_validation(request: Request, exc: ValidationException) -> Response:
    errors = _validation_errors(exc.extra)
    detail = "; ".join(f"{e.field}: {e.reason}" for e in errors) or exc.detail
    return problem(request, 400, "invalid-request", "The request is not valid", detail, errors)


_HTTP_RULES = {
    400: "malformed-body",  # a bare 400 comes from the body's decoding: the JSON is broken, or nested too deep
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
}


def on_http(request: Request, exc: HTTPException) -> Response:
    rule = _HTTP_RULES.get(exc.status_code, "http-error")
    # The exception's own headers are part of the answer: a 405 carries Allow (RFC 9110 section 15.5.6).
    headers = dict(exc.headers or {})
    if exc.status_code == 401:  # RFC 6750 section 3: a 401 names the scheme the client should use.
        headers["WWW-Authenticate"] = 'Bearer realm="credledger"'
    errors = _validation_errors(exc.extra)
    return problem(request, exc.status_code, rule, _title(exc.status_code), exc.detail, errors, headers or None)


def on_domain(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, NotFound):
        return problem(request, 404, exc.rule, "Not found", exc.message)
    errors = [FieldError(field=exc.field, reason=exc.message)] if exc.field else []
    title = "A value is not valid" if isinstance(exc, InvalidValue) else "A business rule forbids this"
    return problem(request, 422, exc.rule, title, exc.message, errors)


def on_conflict(request: Request, exc: VersionConflict) -> Response:
    # The current version, when known, so the client can re-read and retry.
    headers = {"ETag": f'"{exc.current_version}"'} if exc.current_version is not None else None
    return problem(request, 409, "version-conflict", "The resource changed", str(exc), headers=headers)


def on_unexpected(request: Request, exc: Exception) -> Response:
    # Log the type and place only: exception text can carry submitted values.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "internal-error", "Internal server error", "An unexpected error occurred.")


def on_key_destroyed(request: Request, exc: KeyDestroyed) -> Response:
    detail = "This firm's personal data was erased (its key destroyed); no personal data can be recorded for it."
    return problem(request, 410, "personal-data-erased", "Personal data erased", detail)


# The database is away (stopped, restarting, the connection lost): a 503 to retry, never a 500. A command
# that answered this stored nothing, or its retry with the same Idempotency-Key answers what it stored.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # the server shuts down, or is starting up
    asyncpg.InterfaceError,
    ConnectionError,
)


def on_database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable on %s %s (%s)", request.method, request.url.path, type(exc).__name__)
    detail = "The database cannot be reached right now; retry (a command with the same Idempotency-Key)."
    return problem(request, 503, "unavailable", "Service unavailable", detail, headers={"Retry-After": "5"})


def _title(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


HANDLERS = {
    ValidationException: on_validation,
    HTTPException: on_http,
    DomainError: on_domain,
    VersionConflict: on_conflict,
    KeyDestroyed: on_key_destroyed,
    **{error: on_database_unavailable for error in DATABASE_UNAVAILABLE},
    Exception: on_unexpected,
}
