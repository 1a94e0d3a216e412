"""The served OpenAPI document is the contract: every operation says what it does, every answer it can give
(problems as application/problem+json), the headers a client sends and gets, and bodies that refuse unknown
fields. Generated clients and contract testers (tests/contract) rely on each of these."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support import Stack

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    response = httpx.get(stack.base_url + "/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of the API proper (/v1); the health probes are the orchestrator's, not a client's."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/v1/"):
                yield method.upper(), path, operation


# POSTs that are not a command on one record: an import runs a batch of them (tests/api/test_onboarding_import.py),
# a screening run screens each of the firm's records (tests/api/test_exclusion_list_screening.py).
BATCHES = ("/v1/imports", "/v1/imports/csv", "/v1/exclusion-lists/{edition_id}/screenings")


# POSTs on the firm's configuration, kept outside the event store (webhook endpoints and their deliveries): no
# record version to name or conflict with (tests/api/test_webhooks.py).
CONFIGURATION = {
    "/v1/webhooks",
    "/v1/webhooks/{webhook_id}/retries",
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
}


def commands(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for method, path, operation in operations(document):
        if method == "POST" and path not in (*BATCHES, *REFERENCE_DATA_UPLOADS, *CONFIGURATION):
            yield method, path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def test_every_operation_has_a_human_summary_and_a_description(document: dict[str, Any]) -> None:
    seen = 0
    health = [("GET", path, document["paths"][path]["get"]) for path in ("/health/live", "/health/ready")]
    assert "503" in health[1][2]["responses"]  # not ready: the same body, saying which check failed
    for method, path, operation in [*operations(document), *health]:
        seen += 1
        summary = operation.get("summary", "")
        assert summary and summary.lower() != operation["operationId"].lower(), (method, path, summary)
        assert " " in summary, f"{method} {path}: the summary {summary!r} reads like a handler name"
        assert len(operation.get("description", "")) > 20, f"{method} {path} has no description"
    assert seen >= 57


# Uploads of reference data (the exclusion lists' files): no record to be missing, no version to conflict with.
REFERENCE_DATA_UPLOADS = {"/v1/exclusion-lists"}


def test_every_operation_declares_its_problem_answers(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        responses = operation["responses"]
        expected = {"400", "401", "403", "503"}
        if "{" in path or any(p["name"] == "snapshot" for p in operation.get("parameters", [])):
            expected.add("404")
        if method in ("POST", "PUT"):
            expected |= {"413", "415"}
        if method == "POST" and path not in REFERENCE_DATA_UPLOADS | CONFIGURATION:
            expected |= {"404", "409", "422"}
        if (method, path) in (("POST", "/v1/webhooks"), ("PUT", "/v1/webhooks/{webhook_id}")):
            expected |= {"409" if method == "PUT" else "422", "422"}  # a refused value; a stale If-Match
        assert expected <= set(responses), (method, path, sorted(expected - set(responses)))
        for status, response in responses.items():
            if int(status) >= 400:
                schema = response["content"][PROBLEM]["schema"]
                assert schema["$ref"].endswith("/Problem"), (method, path, status)
                assert response["description"], (method, path, status)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "detail", "instance", "errors"}


def test_commands_declare_their_request_and_response_headers(document: dict[str, Any]) -> None:
    for _method, path, operation in commands(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        creates = path in ("/v1/organizations", "/v1/user-accounts", "/v1/applications", "/v1/practitioners")
        # A command on an existing record names the version it expects; one that creates a record has none.
        assert headers == ({"Idempotency-Key"} if creates else {"If-Match", "Idempotency-Key"}), (path, headers)
        success = next(status for status in operation["responses"] if status.startswith("2"))
        answered = operation["responses"][success]["headers"]
        assert {"ETag", "Idempotent-Replayed", "Credledger-Position"} <= set(answered), (path, answered)
        assert answered["ETag"]["required"] is True
        if success == "201":
            assert answered["Location"]["required"] is True, path
        assert "/v1/views/freshness" in answered["Credledger-Position"]["description"]


def test_command_bodies_refuse_unknown_fields_and_describe_each_field(document: dict[str, Any]) -> None:
    bodies = 0
    checked: set[str] = set()

    def check(name: str, schema: dict[str, Any]) -> None:
        if name in checked or schema.get("type") != "object":  # enums have no fields
            return
        checked.add(name)
        assert schema.get("additionalProperties") is False, f"{name} does not say it refuses unknown fields"
        for field, prop in schema.get("properties", {}).items():
            assert len(prop.get("description", "")) > 5, f"{name}.{field} has no description"
            for ref in _refs(prop):  # nested bodies (addresses, taxonomies) follow the same rule
                check(ref, document["components"]["schemas"][ref])

    for _method, _path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        content = operation["requestBody"]["content"]
        if "application/json" not in content:  # a file (the CSV import): its text is described instead
            assert set(content) == {"text/csv"} and len(content["text/csv"]["schema"]["description"]) > 20
            continue
        bodies += 1
        schema = content["application/json"]["schema"]
        check(schema["$ref"].split("/")[-1], resolve(document, schema))
    assert bodies >= 34 and {"AddressIn", "TaxonomyIn"} <= checked


def _refs(schema: Any) -> Iterator[str]:
    """Component names referenced by a property's schema."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref":
                yield value.split("/")[-1]
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def test_field_documentation_carries_examples(document: dict[str, Any]) -> None:
    register = document["components"]["schemas"]["RegisterOrganization"]["properties"]
    assert register["npi"]["examples"] == ["1234567893"]
    assert "Luhn" in register["npi"]["description"]
    assert "POSC-DC-PE" in document["components"]["schemas"]["OpenApplication"]["properties"]["kind"]["description"]


def test_the_change_stream_is_text_event_stream(document: dict[str, Any]) -> None:
    stream = document["paths"]["/v1/views/changes"]["get"]
    assert list(stream["responses"]["200"]["content"]) == ["text/event-stream"]
    assert "Last-Event-ID" in {p["name"] for p in stream["parameters"] if p["in"] == "header"}


def test_the_audit_export_is_a_tar_file(document: dict[str, Any]) -> None:
    export = document["paths"]["/v1/exports"]["get"]
    assert list(export["responses"]["200"]["content"]) == ["application/x-tar"]
