"""Every JSON request body's example works: the body the API docs' "Try it out" pre-fills (Swagger UI's rule, in
tests/api/swagger_sample.py: the body's own example first, else each property's example, recursively, for every
property) is accepted by its route, for a record in the state the command needs (tests/api/test_endpoints.py's
World and its ENDPOINTS table's preparations).

An example cannot know the ids of the reader's records (they are made when records are created): a field naming
another record (a UUID) holds a stand-in, its description says to put the id of one's record there, and the test
puts a real one in, as the reader would. A new body without an example for each of its values fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.app.commands import EXAMPLE_ID
from tests.api.swagger_sample import sample
from tests.api.test_endpoints import ENDPOINTS, World, build
from tests.api.test_exclusion_list_import import LEIE
from tests.support import Stack

# The body fields that name another record, and the record of the World (or of the preparation) they name.
RECORDS = {
    "organization_id": "org",
    "practitioner_id": "practitioner",
    "account_id": "subordinate",
    "modification_id": "modification",
}


@dataclass(frozen=True)
class Operation:
    name: str  # its operationId
    path: str  # formatted with the World's ids and those its preparation answers
    method: str = "POST"
    setup: Callable[[World], Mapping[str, str] | None] | None = None
    after: tuple[str, ...] = ()  # the operations whose examples are sent first, in the reader's order


def _approved_modification(world: World) -> dict[str, str]:
    """An approved POSC-DC-PM of the World's practice: a new primary user may take over."""
    body = {"organization_id": world.org, "kind": "primary_user_modification", "channel": "fax"}
    opened = world.client.post("/v1/applications", json={**body, "opened_on": "2026-05-01"})
    assert opened.status_code == 201, opened.text
    pm = opened.json()["id"]
    for step, dated in (("submit", {"submitted_on": "2026-05-04"}), ("approve", {"decided_on": "2026-05-15"})):
        assert world.client.post(f"/v1/applications/{pm}/{step}", json=dated).status_code == 200
    return {"modification": pm}


def _webhook(world: World) -> dict[str, str]:
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}  # the test stack allows local endpoints
    registered = world.client.post("/v1/webhooks", json=body)
    assert registered.status_code == 201, registered.text
    return {"webhook": registered.json()["id"]}


def _edition(world: World) -> dict[str, str]:
    """An exclusion list edition (the LEIE's head, as published on 2026-11-05), imported or imported before."""
    headers = {"content-type": "text/csv"}
    url = "/v1/exclusion-lists?file_date=2026-11-05&file_name=UPDATED.csv"
    imported = world.client.post(url, content=LEIE.read_bytes(), headers=headers)
    assert imported.status_code in (200, 201), imported.text
    return {"edition": imported.json()["edition_id"]}


# The bodies the ENDPOINTS table leaves out: those that create a record, the firm's configuration, the batches.
OTHERS = [
    Operation("registerOrganization", "/v1/organizations"),
    Operation("openUserAccount", "/v1/user-accounts"),
    Operation("openApplication", "/v1/applications"),
    Operation("registerPractitioner", "/v1/practitioners"),
    Operation("discloseOwnerOrManagingEmployee", "/v1/organizations/{org}/disclosures"),
    Operation("replacePrimaryUser", "/v1/organizations/{org}/primary-user/replace", setup=_approved_modification),
    Operation("changeSettings", "/v1/settings", "PUT"),
    Operation("registerWebhook", "/v1/webhooks"),
    Operation("changeWebhook", "/v1/webhooks/{webhook}", "PUT", _webhook),
    Operation("retryFailedWebhookDeliveries", "/v1/webhooks/{webhook}/retries", setup=_webhook),
    Operation("importHistory", "/v1/imports"),
    Operation("screenFirmAgainstExclusionList", "/v1/exclusion-lists/{edition}/screenings", setup=_edition),
]
# Where the table's preparation is not the state an example follows from, the examples it follows from are sent
# first, as a reader trying them would: a grant then its revocation, a fact then its day corrected (the version
# a date correction names is the fact's, which the reader reads in the record's history: here, the one just made).
FOLLOWING = [
    Operation("revokeAccess", "/v1/user-accounts/{subordinate}/access-revocations", after=("grantAccess",)),
    Operation("reactivateUserAccount", "/v1/user-accounts/{subordinate}/reactivate", after=("deactivateUserAccount",)),
    Operation("moveAffiliation", "/v1/organizations/{org}/affiliations/transitions", after=("requestAffiliation",)),
    Operation(
        "unlinkRenderingProvider",
        "/v1/organizations/{org}/rendering-providers/1245319599/unlink",  # linkRenderingProvider's example's NPI
        after=("linkRenderingProvider",),
    ),
    Operation(
        "correctOrganizationEffectiveDate",
        "/v1/organizations/{org}/effective-date-corrections",
        after=("recordEftDetails",),
    ),
    Operation(
        "correctUserAccountEffectiveDate",
        "/v1/user-accounts/{subordinate}/effective-date-corrections",
        after=("grantAccess",),
    ),
    Operation(
        "correctApplicationEffectiveDate",
        "/v1/applications/{posc}/effective-date-corrections",
        after=("attachDocument",),
    ),
    Operation(
        "correctPractitionerEffectiveDate",
        "/v1/practitioners/{practitioner}/effective-date-corrections",
        after=("recordLicense",),
    ),
]
_FOLLOWING = {o.name: o for o in FOLLOWING}
OPERATIONS = [_FOLLOWING.get(e.name, Operation(e.name, e.path, setup=e.setup)) for e in ENDPOINTS] + OTHERS
_BY_NAME = {o.name: o for o in OPERATIONS}


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    response = httpx.get(stack.base_url + "/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def json_bodies(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each operation with a JSON request body: its operationId and the body's media type."""
    for item in document["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield operation["operationId"], content["application/json"]


def with_ids(value: Any, ids: Mapping[str, Any]) -> Any:
    """The example with the ids of the records it names (RECORDS) put in for the stand-ins."""
    if isinstance(value, dict):
        return {
            key: str(ids[RECORDS[key]]) if key in RECORDS and item == EXAMPLE_ID else with_ids(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_ids(item, ids) for item in value]
    return value


def test_every_json_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = dict(json_bodies(document))
    assert set(bodies) == {o.name for o in OPERATIONS}  # each is tried below
    made_up = {name: where for name, media_type in bodies.items() if (where := sample(document, media_type)[1])}
    assert made_up == {}, "Swagger UI would make these values up (no example):"
    assert len(bodies) >= 70


def test_a_field_naming_a_record_says_to_put_ones_own_id(document: dict[str, Any]) -> None:
    named = 0
    for schema in document["components"]["schemas"].values():
        for name, prop in schema.get("properties", {}).items():
            formats = {prop.get("format"), *(p.get("format") for p in prop.get("oneOf", []))}
            if "uuid" in formats and "examples" in prop:  # a body's field (an answer's have no example)
                named += 1
                assert prop["examples"] == [EXAMPLE_ID] and name in RECORDS, name
                assert "Put the id of your record here" in prop["description"], name
    assert named >= 8


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_the_example_is_accepted(
    stack: Stack, tenants: tuple[str, str], document: dict[str, Any], operation: Operation
) -> None:
    bodies = dict(json_bodies(document))
    client = stack.client(tenants[0])
    world = build(client, tenants[0])
    ids = {**vars(world), **((operation.setup(world) if operation.setup else None) or {})}
    answered: dict[str, Any] = {}  # by the step before
    for step in [*(_BY_NAME[name] for name in operation.after), operation]:
        body = with_ids(sample(document, bodies[step.name])[0], ids)
        if "version" in body and answered:  # a date correction: the version of the fact the step before recorded
            body["version"] = answered["version"]
        response = client.request(step.method, step.path.format(**ids), json=body)
        assert response.status_code in (200, 201, 202), f"{step.name}: {body}\n{response.text}"
        answered = response.json()
