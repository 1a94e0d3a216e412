"""What every route declares in the OpenAPI document, in one place, so that generated clients and contract
testers see the contract the code keeps: the problem answers each kind of route can give, the command headers
(If-Match, Idempotency-Key) and the answer's headers (ETag, Location, Idempotent-Replayed, Credledger-Position),
and request bodies that say they refuse unknown fields.

Routes splat one of ``command_docs``, ``read_docs`` into their decorator; the decorator keeps its own
behaviour (path, guards, status code) and the handler's docstring is the operation's description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from services.api.commands import POSITION_HEADER
from services.api.problems import MEDIA_TYPE, Problem

# Why each status is answered, as a client should read it. Every one is an RFC 9457 problem whose ``type``
# names the rule (urn:credledger:problem:...).
MEANINGS: dict[int, str] = {
    400: "The request is malformed: broken or too deeply nested JSON, a value of the wrong type or format, an "
    "unknown field, an invalid If-Match or Idempotency-Key header, or an invalid query parameter or cursor.",
    401: "No bearer token, or an invalid or expired one (the answer's WWW-Authenticate header names the scheme).",
    403: "The token's role may not do this (e.g. an auditor writing, a viewer reading personal data); "
    "the refusal is recorded in the record's compliance history.",
    404: "No such record in the token's firm (another firm's records are never visible), none this client "
    "viewer may see, or no view snapshot of that name.",
    409: "The record changed: If-Match named a version that is no longer current, or another command changed "
    "it first. The answer's ETag header carries the current version: re-read the record and retry.",
    410: "This firm's personal data was erased (its key destroyed): no personal data can be recorded for it.",
    413: "The body is larger than the route takes: 256 KiB for a command, 16 MiB for a history import, 256 MiB "
    "for an exclusion list's file.",
    415: "The body is not JSON: send it with Content-Type: application/json.",
    422: "A business rule forbids this, or a value is not valid in the domain (an NPI's check digit, a NUCC "
    "taxonomy code, a closed application...): ``type`` names the rule and ``errors`` the field. Also an "
    "Idempotency-Key already used with a different request. Nothing was stored.",
    500: "The event store's hash chain is broken: the bundle was not produced (run `credledger verify`).",
    503: "A server the API needs (PostgreSQL, NATS) is unavailable: retry after the Retry-After header's seconds. "
    "Nothing was stored.",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """The problem answers for these status codes, each with the Problem schema as application/problem+json."""
    return {
        code: ResponseSpec(
            data_container=Problem, media_type=MEDIA_TYPE, description=MEANINGS[code], generate_examples=False
        )
        for code in codes
    }


def _header(name: str, description: str, example: str, *, required: bool = False) -> ResponseHeader:
    # documentation_only: the handlers set these headers themselves, per answer; the value only gives the
    # documented header its schema (a string).
    return ResponseHeader(name=name, description=description, required=required, documentation_only=True, value=example)


ETAG = _header(
    "ETag", 'The record\'s version as an entity tag, e.g. "3"; send it back as If-Match.', '"3"', required=True
)
LOCATION = _header("Location", "The path of the record created.", "/v1/organizations/<id>", required=True)
REPLAYED = _header(
    "Idempotent-Replayed",
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key "
    "(nothing was recorded again).",
    "true",
)
POSITION = _header(
    POSITION_HEADER,
    "The event store position of the command's last event. Pass it to "
    "`GET /v1/views/freshness?position=&wait=` to wait until the views include this command.",
    "4711",
)


def _request_header(name: str, description: str, example: str) -> OpenAPIParameter:
    return OpenAPIParameter(
        name=name,
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING),
        description=description,
        example=example,
    )


IF_MATCH = _request_header(
    "If-Match",
    'Optional. The ETag last read (e.g. "3", W/"3", or * for any): the command is refused with 409 if the '
    "record has changed since. Left out, the command applies to the current version.",
    '"1"',
)
IDEMPOTENCY_KEY = _request_header(
    "Idempotency-Key",
    "Optional. 1-255 printable ASCII characters without spaces, unique per command you mean to send once: a "
    "retry with the same key and request answers the first result (Idempotent-Replayed: true) and records "
    "nothing again; the same key with a different request is a 422.",
    "posc-submit-1",
)
LAST_EVENT_ID = _request_header(
    "Last-Event-ID",
    "The id of the last event received: the stream resumes after it (browsers send it on reconnect).",
    "1024",
)


# The headers are declared on the OpenAPI operation rather than as handler parameters: the handlers read them
# from the request themselves (commands.execute), and a declared parameter would add a second validation.
@dataclass
class CreateOperation(Operation):
    """A command that creates a record: a retry is made safe by Idempotency-Key."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), IDEMPOTENCY_KEY]


@dataclass
class CommandOperation(Operation):
    """A command on an existing record: If-Match names the version it expects, Idempotency-Key makes a retry
    safe."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), IF_MATCH, IDEMPOTENCY_KEY]


@dataclass
class ConditionalOperation(Operation):
    """A change to a resource kept outside the event store: If-Match names the version it expects."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), IF_MATCH]


@dataclass
class StreamOperation(Operation):
    """The change stream, which resumes after Last-Event-ID."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), LAST_EVENT_ID]


_COMMAND = (400, 401, 403, 404, 409, 413, 415, 422, 503)


def command_docs(summary: str, *, created: bool = False, conditional: bool = True, pii: bool = False) -> dict:
    """A command route's summary, headers and answers.

    ``created``: it answers 201 with Location. ``conditional``: it acts on an existing record, whose version
    If-Match may name (commands that create a record do not read If-Match). ``pii``: it records personal data,
    which a firm whose key was destroyed can no longer record (410).
    """
    headers = [ETAG, REPLAYED, POSITION]
    if created:
        headers.append(LOCATION)
    return {
        "summary": summary,
        "operation_class": CommandOperation if conditional else CreateOperation,
        "response_headers": headers,
        "responses": problems(*_COMMAND, *((410,) if pii else ())),
    }


def read_docs(summary: str, *, not_found: bool = True, etag: bool = False, codes: tuple[int, ...] = ()) -> dict:
    """A read route's summary and answers. ``not_found``: it can answer 404 (a record or view row that is not
    there, or an unknown ``snapshot``). ``etag``: the answer carries the record's ETag."""
    docs: dict[str, Any] = {
        "summary": summary,
        "responses": problems(400, 401, 403, *((404,) if not_found else ()), 503, *codes),
    }
    if etag:
        docs["response_headers"] = [ETAG]
    return docs


CONTENT_DISPOSITION = _header(
    "Content-Disposition",
    "An attachment, with the file's name: the report, the firm and the day it is of, e.g. attachment; "
    'filename="expirables-acme-2026-04-20.csv".',
    'attachment; filename="expirables-acme-2026-04-20.csv"',
    required=True,
)


def download_docs(summary: str, media_types: tuple[str, ...], description: str) -> dict:
    """A read route that answers a file in one of several formats (``?format=``): its 200 answer lists each
    format's media type (the first is the default) and the Content-Disposition header, beside read_docs' answers."""

    # Litestar documents one media type per route: the rest are added to the operation it builds.
    @dataclass
    class DownloadOperation(Operation):
        def __post_init__(self) -> None:
            answer = (self.responses or {})["200"]
            assert isinstance(answer, OpenAPIResponse)
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            answer.content = {media_type: OpenAPIMediaType(schema=binary) for media_type in media_types}

    return {
        **read_docs(summary),
        "operation_class": DownloadOperation,
        "media_type": media_types[0],
        "response_description": description,
        "response_headers": [CONTENT_DISPOSITION],
    }


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """msgspec structs as Litestar documents them, plus what it leaves out: a struct that refuses unknown fields
    (``forbid_unknown_fields``) says ``additionalProperties: false``, its docstring describes it, and its whole-body
    ``example`` (a class variable, services/app/commands.py ``Command``), if it has one, is the schema's example,
    which the docs' "Try it out" pre-fills instead of assembling one from the fields' examples.

    Registered as an app plugin, which Litestar consults before its own struct plugin.
    """

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        if struct.__doc__ and not schema.description:
            schema.description = " ".join(struct.__doc__.split())
        if getattr(struct, "example", None) is not None:
            schema.examples = [struct.example]
        return schema
