"""No input gives a 5xx at the HTTP edge (issue 11, findings 2 and 3): deeply nested JSON, unsafe text in a
path or query parameter, odd If-Match values, bodies that are not JSON, and methods a path does not serve
each get a problem response, and store nothing, for the tenant that sent them or any other."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from domain.task import task_id
from tests.api.helpers import ORG, assert_problem, events_of, nppes_record, open_application, refusals_of, register
from tests.support import Stack

MAX_DEPTH = 32  # services.api.edges.MAX_DEPTH: what the API promises, restated


class Records:
    """Two tenants' real records, so that every route is reached with ids that exist."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.tenants = ("edges-a-" + uuid.uuid4().hex[:8], "edges-b-" + uuid.uuid4().hex[:8])
        self.client = stack.client(self.tenants[0])
        self.org = register(self.client)
        account = self.client.post(
            "/v1/user-accounts", json={"organization_id": self.org, "person_name": "Dana Reyes", "role": "primary"}
        )
        assert account.status_code == 201, account.text
        self.account = account.json()["id"]
        self.application = open_application(self.client, self.org)
        practitioner = self.client.post("/v1/practitioners", json={"organization_id": self.org, "npi": "1987654328",
                                        "first_name": "Ana", "last_name": "Reyes", "degree": "MD"})  # fmt: skip
        assert practitioner.status_code == 201, practitioner.text
        self.practitioner = practitioner.json()["id"]
        mailed = open_application(self.client, self.org, channel="mail")  # the work queue's task: mail the form
        self.task = str(task_id(self.tenants[0], f"mail:{mailed}"))
        register(stack.client(self.tenants[1]))

    def ids(self) -> dict[str, str]:
        # A disclosure's id: any id will do, the body is refused before the record is looked up.
        ids = {"organization_id": self.org, "account_id": self.account, "application_id": self.application}
        ids["practitioner_id"] = self.practitioner
        ids["task_id"] = self.task
        ids |= {"webhook_id": self.org, "delivery_id": self.org}  # no such endpoint: refused before the lookup
        return {**ids, "person_id": self.org, "edition_id": self.org}  # no such edition: refused before the lookup

    def stored(self) -> tuple[int, ...]:
        """Every event of both tenants, access logs included (a read of personal data or a refusal is one)."""
        return tuple(
            self.stack.sql("SELECT count(*) FROM credledger_events WHERE tenant_id = %s", t)[0][0] for t in self.tenants
        )


@pytest.fixture(scope="module")
def records(stack: Stack) -> Records:
    return Records(stack)


@pytest.fixture(scope="module")
def openapi(stack: Stack) -> dict[str, Any]:
    response = httpx.get(f"{stack.base_url}/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def concrete(path: str, ids: dict[str, str]) -> str:
    """An OpenAPI path with real ids (and a plain word for the other path parameters)."""
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + "x" + path[end + 1 :]
    return path


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                yield path, method.upper(), operation


# --- 1. JSON nested too deeply ------------------------------------------------------------------------


def nested(depth: int, kind: str) -> str:
    """A JSON value of arrays or objects nested ``depth`` levels deep."""
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


DEEP = 1000  # the RecursionError (a 500) started at about 900


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("where", ["body", "text field", "NPPES record", "settings"])
def test_deeply_nested_json_is_a_400_and_stores_nothing(records: Records, where: str, kind: str) -> None:
    value = nested(DEEP, kind)
    path, method, body = {
        "body": ("/v1/organizations", "POST", value),
        "text field": ("/v1/organizations", "POST", '{"legal_name": ' + value + "}"),
        "NPPES record": (
            f"/v1/organizations/{records.org}/nppes-snapshots",
            "POST",
            '{"retrieved_on": "2026-04-01", "record": {"number": "1234567893", "endpoints": ' + value + "}}",
        ),
        "settings": ("/v1/settings", "PUT", '{"sla_targets": ' + value + "}"),
    }[where]
    before = records.stored()
    settings = records.client.get("/v1/settings").json()
    response = records.client.request(method, path, content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 400, "malformed-body")
    assert str(MAX_DEPTH) in problem["detail"]
    assert records.stored() == before
    assert records.client.get("/v1/settings").json() == settings


def test_every_command_route_refuses_deep_json(records: Records, openapi: dict[str, Any]) -> None:
    before = records.stored()
    routes = [
        (p, m) for p, m, op in operations(openapi) if "application/json" in op.get("requestBody", {}).get("content", {})
    ]
    assert len(routes) > 30  # every command, not a few
    for path, method in routes:
        response = records.client.request(
            method,
            concrete(path, records.ids()),
            content='{"reason": ' + nested(DEEP, "array") + "}",
            headers={"content-type": "application/json"},
        )
        assert_problem(response, 400, "malformed-body")
    assert records.stored() == before


def test_depth_is_counted_exactly_and_brackets_in_strings_do_not_count(records: Records) -> None:
    """The limit is not a guess: 32 levels pass, 33 do not, and a string full of brackets nests nothing."""
    path = f"/v1/organizations/{records.org}/nppes-snapshots"

    def snapshot(depth: int) -> dict[str, Any]:
        endpoints: list[Any] = []  # the body and the record are two levels: this field nests the rest
        for _ in range(depth - 3):
            endpoints = [endpoints]
        record = {**nppes_record(), "endpoints": endpoints, "note": "[" * 5000 + "{" * 5000}
        return {"retrieved_on": "2026-04-01", "record": record}

    accepted = records.client.post(path, json=snapshot(MAX_DEPTH))
    assert accepted.status_code == 200, accepted.text
    before = records.stored()
    assert_problem(records.client.post(path, json=snapshot(MAX_DEPTH + 1)), 400, "malformed-body")
    assert records.stored() == before


# --- 2. Control characters in path and query parameters -------------------------------------------------

UNSAFE = ["a\x00b", "a\x01b", "a\tb", "a\nb", "a\x7fb", "a\x85b", "a\ufffeb", "a\U0010ffffb"]


@pytest.mark.parametrize("text", UNSAFE, ids=[ascii(t) for t in UNSAFE])
@pytest.mark.parametrize(
    "path, name",
    [
        ("/v1/views/affiliation-status", "plan"),
        ("/v1/views/turnaround/metrics", "provider_type"),
        ("/v1/views/affiliation-status", "sort"),
        ("/v1/views/access-audit", "cursor"),
    ],
)
def test_unsafe_text_in_a_filter_is_a_400_naming_it(records: Records, path: str, name: str, text: str) -> None:
    before = records.stored()
    problem = assert_problem(records.client.get(path, params={name: text}), 400, "invalid-request")
    assert problem["errors"][0]["field"] == name
    assert records.stored() == before


def test_every_query_parameter_of_every_route_refuses_a_nul(records: Records, openapi: dict[str, Any]) -> None:
    """Read from the served OpenAPI: a parameter added later is covered without a new test."""
    before = records.stored()
    checked = set()
    for path, method, operation in operations(openapi):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] + ["unknown"]
        for name in names:
            response = records.client.request(
                method, concrete(path, records.ids()), params={name: "a\x00b"}, json={}, timeout=10
            )
            problem = assert_problem(response, 400, "invalid-request")
            assert problem["errors"][0]["field"] == name, (method, path)
            checked.add(name)
    # The ones the issue names, so that a change to the schema cannot quietly shrink this test.
    assert {"plan", "provider_type", "sort", "cursor", "event", "purpose", "view", "from", "as_of"} <= checked
    assert records.stored() == before


def test_a_nul_in_a_parameter_name_or_a_path_parameter_is_refused(records: Records) -> None:
    before = records.stored()
    problem = assert_problem(records.client.get("/v1/views/affiliation-status?pl%00an=x"), 400, "invalid-request")
    assert problem["errors"][0]["field"] == "pl\\x00an"  # named, escaped
    clear = f"/v1/organizations/{records.org}/exclusion-screenings/le%00ie/clear"
    problem = assert_problem(records.client.post(clear, json={"cleared_on": "2026-04-01"}), 400, "invalid-request")
    assert problem["errors"][0]["field"] == "source"
    assert records.stored() == before


def test_unsafe_text_is_refused_before_a_refusal_is_recorded(records: Records) -> None:
    """A refused attempt is recorded with its path: a path with a NUL must never get that far."""
    auditor = records.stack.client(records.tenants[0], role="auditor")
    before, refusals = records.stored(), refusals_of(records.stack, records.tenants[0])
    unlink = f"/v1/organizations/{records.org}/rendering-providers/12%00/unlink"
    assert_problem(auditor.post(unlink, json={}), 400, "invalid-request")
    pii = f"/v1/organizations/{records.org}/pii"
    assert_problem(auditor.get(pii, params={"purpose": "W-9\x00verification"}), 400, "invalid-request")
    assert_problem(records.client.get(pii, params={"purpose": "W-9\x00verification"}), 400, "invalid-request")
    assert records.stored() == before and refusals_of(records.stack, records.tenants[0]) == refusals
    # Clean text still works, and is recorded as before.
    assert records.client.get(pii, params={"purpose": "W-9 verification"}).status_code == 200
    assert records.stored()[0] > before[0]


# --- 3. If-Match -----------------------------------------------------------------------------------------

# Header bytes are read as Latin-1: "²" (0xB2) is the one isdigit() took and int() refused, a 500.
BAD_IF_MATCH = [
    b'"\xb2"',
    b'"1\xb9"',
    '"١"'.encode(),
    b'"+1"',
    b'" 1"',
    b'"1_0"',
    b'"-1"',
    b'"9223372036854775808"',
    b'"' + b"9" * 5000 + b'"',
]


@pytest.mark.parametrize("value", BAD_IF_MATCH, ids=lambda v: ascii(v[:24]))
def test_an_if_match_that_is_not_one_of_our_etags_is_a_400(records: Records, value: bytes) -> None:
    before = records.stored()
    response = records.client.post(
        f"/v1/applications/{records.application}/submit",
        json={"submitted_on": "2026-04-21"},
        headers={"If-Match": value},
    )
    problem = assert_problem(response, 400, "invalid-request")
    assert problem["errors"][0]["field"] == "If-Match"
    assert records.stored() == before
    assert records.client.get(f"/v1/applications/{records.application}").json()["status"] == "open"


def test_the_largest_version_an_if_match_may_name_is_a_conflict_not_an_error(records: Records) -> None:
    before = records.stored()
    response = records.client.post(
        f"/v1/applications/{records.application}/submit",
        json={"submitted_on": "2026-04-21"},
        headers={"If-Match": f'"{2**63 - 1}"'},
    )
    assert_problem(response, 409, "version-conflict")
    assert records.stored() == before


# --- 4. Bodies that are not JSON -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/csv", "application/x-www-form-urlencoded", "application/xml", "application/jsonx", None],
)
def test_a_command_body_that_is_not_json_is_a_415(records: Records, content_type: str | None) -> None:
    """The body is a valid command in JSON: only its declared media type is wrong (it used to be taken)."""
    before = records.stored()
    headers = {"content-type": content_type} if content_type else {}
    response = records.client.post("/v1/organizations", content=json.dumps(ORG), headers=headers)
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert "application/json" in problem["detail"]
    assert (content_type or "no Content-Type") in problem["detail"]
    assert problem["errors"] == [{"field": "Content-Type", "reason": "expected application/json"}]
    if content_type == "application/x-www-form-urlencoded":
        assert "curl" in problem["detail"]  # what `curl -d` sends: the detail says how to fix it
    assert records.stored() == before


def test_multipart_is_a_415(records: Records) -> None:
    before = records.stored()
    response = records.client.post(f"/v1/applications/{records.application}/documents", files={"file": b"%PDF-1.7"})
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert "multipart/form-data" in problem["detail"]
    assert records.stored() == before


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.x+json"],
)
def test_json_in_any_of_its_spellings_is_taken(records: Records, content_type: str) -> None:
    response = records.client.post("/v1/organizations", content=json.dumps(ORG), headers={"content-type": content_type})
    assert response.status_code == 201, response.text


def test_a_refused_writer_is_refused_and_recorded_whatever_the_media_type(records: Records) -> None:
    """The guard comes first: a viewer's write is a 403 on record, not a 415 that leaves no trace."""
    viewer = records.stack.client(records.tenants[0], role="viewer")
    refusals, commands = refusals_of(records.stack, records.tenants[0]), events_of(records.stack, records.tenants[0])
    response = viewer.post("/v1/organizations", content=b"legal_name=x", headers={"content-type": "text/plain"})
    assert_problem(response, 403, "forbidden")
    assert refusals_of(records.stack, records.tenants[0]) == refusals + 1
    assert events_of(records.stack, records.tenants[0]) == commands


def test_every_command_route_refuses_text_plain(records: Records, openapi: dict[str, Any]) -> None:
    before = records.stored()
    for path, method, operation in operations(openapi):
        if "requestBody" in operation:
            response = records.client.request(
                method, concrete(path, records.ids()), content=b"{}", headers={"content-type": "text/plain"}
            )
            assert_problem(response, 415, "unsupported-media-type")
    assert records.stored() == before


# --- 5. 405 and OPTIONS ----------------------------------------------------------------------------------


def served(openapi: dict[str, Any]) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for path, method, _ in operations(openapi):
        methods.setdefault(path, {"OPTIONS"}).add(method)
    return methods


def allow(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


def test_options_lists_every_method_of_every_path(records: Records, openapi: dict[str, Any]) -> None:
    settings = records.client.options("/v1/settings")
    assert settings.status_code == 204
    assert allow(settings) == {"GET", "PUT", "OPTIONS"}  # litestar alone answered PUT, OPTIONS
    for path, methods in served(openapi).items():
        response = records.client.options(concrete(path, records.ids()))
        assert response.status_code == 204, path
        assert allow(response) == methods, path


def test_a_method_a_path_does_not_serve_is_a_405_with_allow(records: Records, openapi: dict[str, Any]) -> None:
    before = records.stored()
    for path, methods in served(openapi).items():
        for method in {"DELETE", "PATCH", "HEAD"} - methods:
            response = records.client.request(method, concrete(path, records.ids()))
            assert response.status_code == 405, (method, path)
            assert allow(response) == methods, path  # HEAD is not served, so not listed
            if method != "HEAD":
                assert_problem(response, 405, "method-not-allowed")
    assert records.stored() == before


# --- Numbers elsewhere: ASCII digits, within range ------------------------------------------------------


@pytest.mark.parametrize("value", ["\xb2", "-1", "9223372036854775808", "9" * 5000], ids=lambda v: ascii(v[:24]))
def test_event_ids_and_positions_take_ascii_digits_within_a_bigint(records: Records, value: str) -> None:
    """?after= and Last-Event-ID on the change stream and ?position= on freshness are 400s; the history cursor
    (a sequence number compared in Python) is at least never a 5xx."""
    before = records.stored()
    client = records.client
    stream = "/v1/views/changes"
    history = f"/v1/organizations/{records.org}/history"
    last_event_id = value.encode("latin-1")
    if len(value) > 4300:  # see the test below
        last_event_id = b"9" * 19
    got = {
        "after": client.get(stream, params={"after": value}, timeout=5).status_code,
        "Last-Event-ID": client.get(stream, headers={"Last-Event-ID": last_event_id}, timeout=5).status_code,
        "position": client.get("/v1/views/freshness", params={"position": value}).status_code,
    }
    assert got == dict.fromkeys(got, 400)
    assert client.get(history, params={"cursor": value}).status_code < 500
    assert records.stored() == before


def test_a_last_event_id_too_long_for_int_is_a_400(records: Records) -> None:
    response = records.client.get("/v1/views/changes", headers={"Last-Event-ID": "9" * 5000}, timeout=5)
    assert_problem(response, 400, "invalid-request")


@pytest.mark.timeout(30)  # the old pattern took minutes on this body; the check takes milliseconds
def test_the_depth_check_is_linear_and_ignores_brackets_in_strings() -> None:
    from services.api.edges import MAX_DEPTH, nested_too_deep

    # An unterminated string of escaped quotes at the body limit (256 KiB): it must not backtrack.
    assert nested_too_deep(b"[" * (MAX_DEPTH + 8) + b'"' + b'\\"' * (128 * 1024))
    deep_in_a_string = b'["\\"' + b"[" * (MAX_DEPTH + 8) + b'"]'  # an escaped quote, then brackets: all text
    assert not nested_too_deep(deep_in_a_string)
    after_a_backslash = b'["\\\\", ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 2)  # "\\" ends its string
    assert nested_too_deep(after_a_backslash)
    assert not nested_too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
