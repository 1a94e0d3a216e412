"""The HTTP edge: what every request must satisfy before a route handler, or the database, sees it.

Each check here answered a 5xx (or worse, stored something) before; each answers a problem now:

- Text in the path and the query string may hold no control character (C0, DEL, C1) and no Unicode
  non-character. asyncpg cannot send a NUL in a text parameter (a filter with one was a 500), and a refused
  attempt records the request's path in the event store, where such a character stops the projections.
  No parameter of this API has a use for one, so the check covers every parameter, known or not.
- A command body is JSON: anything else is a 415 (it used to be parsed as JSON whatever its media type).
- A JSON body is nested at most ``MAX_DEPTH`` levels: msgspec's decoder recurses, and ~900 levels of
  ``[`` or ``{`` were a RecursionError (a 500) in the decoding of any command, free-form NPPES records included.
- ``OPTIONS`` lists every method of the path: litestar 2's own OPTIONS handler lists only the methods of the
  first handler registered on a path (litestar issue 4169), e.g. PUT but not GET for ``/v1/settings``.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

MAX_DEPTH = 32  # an NPPES record, the deepest body we take, nests 4 levels; a command body 3
JSON = "application/json"

# C0, DEL and C1 controls, UTF-16 surrogates, and the 66 non-characters (U+FDD0-U+FDEF, U+xFFFE and U+xFFFF).
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
UNSAFE_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")

# Brackets inside strings nest nothing, so strings are dropped before counting: escapes first (a backslash and
# the byte after it, so an escaped quote is gone), then what lies between quotes. Two passes that cannot
# backtrack: one pattern matching strings with their escapes took quadratic time on an unterminated string of
# escaped quotes (about 200 s at the body limit, on the event loop).
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def nested_too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON text nests arrays and objects more than ``limit`` levels (exact for valid JSON; broken
    JSON is judged by its brackets, and the decoder refuses it anyway). Linear, and every loop runs in C."""
    if body.count(b"[") + body.count(b"{") <= limit:  # the common case: too few brackets to matter
        return False
    brackets = _STRING.sub(b"", _ESCAPE.sub(b"", body)).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def _shown(name: str) -> str:
    """A parameter's name as safe text for a problem's detail (it may hold the very character refused)."""
    return ascii(name[:100])[1:-1]


def _refuse_text(name: str, source: str) -> ValidationException:
    shown = _shown(name)
    return ValidationException(
        f"The {source} parameter {shown!r} holds a control character or a Unicode non-character.",
        extra=[{"key": shown, "message": "control characters and non-characters are not allowed", "source": source}],
    )


def check_text(scope: Scope) -> None:
    """Refuse a path or query parameter (name or value) with unsafe text; the value is never echoed."""
    if UNSAFE_TEXT.search(scope["path"]):
        params = scope.get("path_params") or {}
        name = next((k for k, v in params.items() if isinstance(v, str) and UNSAFE_TEXT.search(v)), "path")
        raise _refuse_text(name, "path")
    query = scope.get("query_string") or b""
    if not query:
        return
    # Decoded as litestar decodes it (UTF-8, undecodable bytes replaced), blank values kept: `?a%00=` counts.
    for name, value in parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True):
        if UNSAFE_TEXT.search(name) or UNSAFE_TEXT.search(value):
            raise _refuse_text(name, "query")


def _is_default_options(handler: Any) -> bool:
    """litestar's generated OPTIONS handler (a route of ours with its own OPTIONS handler keeps it)."""
    return getattr(getattr(handler, "fn", None), "__name__", "") == "options_handler"


def allowed_methods(app: Any, path_template: str) -> list[str]:
    """Every method served on a path, over every route registered for it (``path_template`` is the routed
    path's form without converters, e.g. ``/v1/organizations/{organization_id}``)."""
    methods: set[str] = set()
    for route in app.routes:
        if route.path_format == path_template:
            methods.update(getattr(route, "methods", ()))
    return sorted(methods | {"OPTIONS"})


class HttpEdges(ASGIMiddleware):
    """Runs after routing and authentication, before guards: a refused attempt is recorded by a guard with
    the request's path, so unsafe text must be refused before any guard runs."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] == "http":
            check_text(scope)
            if scope["method"] == "OPTIONS" and _is_default_options(scope.get("route_handler")):
                allow = ", ".join(allowed_methods(scope["app"], scope["path_template"]))  # type: ignore[typeddict-item]
                await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
        await next_app(scope, receive, send)


def _unsupported(received: str | None, expected: str = JSON) -> HTTPException:
    if received is None:
        detail = f"The body has no Content-Type; send it as {expected}."
    else:
        shown = _shown(received)
        detail = f"The body is {shown}; this route takes {expected}."
        if received.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
            # What `curl -d` sends unless told otherwise: the likeliest way to get here.
            detail += f" (curl -d sends {shown} unless given -H 'content-type: {expected}'.)"
    return HTTPException(
        status_code=415,
        detail=detail,
        extra=[{"key": "Content-Type", "message": f"expected {expected}", "source": "header"}],
    )


def is_json(content_type: str) -> bool:
    """application/json or a structured +json type (RFC 6839), with any parameters. JSON is UTF-8 (RFC 8259
    section 8.1): a charset parameter changes nothing, and bytes that are not UTF-8 are a malformed body."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == JSON or (kind.startswith("application/") and kind.endswith("+json"))


async def check_body(request: Request) -> None:
    """The app's before-request hook: runs after the guards (a refused write is recorded as refused, whatever
    its body) and before the body is decoded. Only routes that take a body (a ``data`` parameter) are checked.

    A body with no Content-Type is a 415 too: a client that sends none has not said it is JSON, and guessing
    is how a text/plain or form body was once taken as a command. An empty body is left to the route, which
    answers that its data is missing. A route that takes a file names its media type instead (``opt``). A layer
    closer to a route with its own before_request hook would
    replace this one (litestar keeps only the closest): test_every_command_route_refuses_text_plain would fail.
    """
    expected = request.route_handler.opt.get("body_media_type")
    if expected is None and "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    received = request.headers.get("content-type")
    if request.route_handler.opt.get("streamed_body"):  # a large file the route streams: never read here
        if received is None or received.split(";", 1)[0].strip().lower() != expected:
            raise _unsupported(received, expected)
        return
    body = await request.body()  # cached on the connection: the decoder reads it from there
    if not body:
        return
    # A route that takes a file says which (opt["body_media_type"], e.g. text/csv): its body is not JSON.
    if expected is not None:
        if received is None or received.split(";", 1)[0].strip().lower() != expected:
            raise _unsupported(received, expected)
        return
    if received is None or not is_json(received):
        raise _unsupported(received)
    if nested_too_deep(body):
        raise ClientException(
            f"The JSON body nests arrays and objects more than {MAX_DEPTH} levels deep.",
            extra=[{"key": "$", "message": f"nested deeper than {MAX_DEPTH} levels"}],
        )
