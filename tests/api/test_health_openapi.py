from __future__ import annotations

import httpx

from tests.support import Stack, eventually


def test_health_endpoints(stack: Stack) -> None:
    assert httpx.get(stack.base_url + "/health/live").json() == {"status": "ok", "checks": {}}
    assert httpx.get(stack.base_url + "/health/ready").json()["status"] == "ok"
    # The workers start beside the API: until they hold their locks, with nothing to take in, ready says so.
    url = stack.base_url + "/health/ready"
    ready = eventually(lambda: (r := httpx.get(url).json())["checks"]["workers"] == "ok" and r)
    assert ready["checks"] == {"database": "ok", "nats": "ok", "projections": "ok", "workers": "ok"}
    # Each worker's liveness and lag (events behind the store), and `up`'s supervised processes.
    assert set(ready["workers"]) == {
        "relay",
        "access_audit",
        "affiliation_status",
        "turnaround",
        "expirables",
        "work_queue",
        "participation",
    }
    assert all(w["alive"] and w["lag"] == 0 for w in ready["workers"].values())
    assert set(ready["processes"]) == {"workers"}  # the servers are the machine's here, not embedded


def test_parked_events_raise_the_alert_on_readiness(stack: Stack) -> None:
    stack.sql(
        "INSERT INTO parked_events (projection, stream_sequence, subject, error) "
        "VALUES ('affiliation_status', 999999, 'x.y.z', 'TestError') RETURNING 1"
    )
    try:
        response = httpx.get(stack.base_url + "/health/ready")
        assert response.status_code == 200  # still serving
        assert response.json()["status"] == "degraded"
        assert response.json()["checks"]["projections"].startswith("1 parked event")
    finally:
        stack.sql("DELETE FROM parked_events WHERE stream_sequence = 999999 RETURNING 1")


def test_openapi_document_names_every_operation(stack: Stack) -> None:
    document = httpx.get(stack.base_url + "/schema/openapi.json").json()
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operation_ids >= {
        "registerOrganization",
        "getOrganization",
        "openUserAccount",
        "grantAccess",
        "deactivateUserAccount",
        "getUserAccount",
        "openApplication",
        "submitApplication",
        "approveApplication",
        "denyApplication",
        "rejectApplication",
        "withdrawApplication",
        "attachDocument",
        "noticeDeficiency",
        "resolveDeficiency",
        "recordScreening",
        "correctProfile",
        "recordNppesSnapshot",
        "receivePinLetter",
        "issueProviderNumber",
        "linkRenderingProvider",
        "unlinkRenderingProvider",
        "recordEftDetails",
        "recordEftValidation",
        "requestAffiliation",
        "moveAffiliation",
        "recordExclusionScreening",
        "clearExclusionScreening",
        "replacePrimaryUser",
        "getOrganizationPii",
        "completeChecklistStep",
        "revokeAccess",
        "reviewAccess",
        "recordDeparture",
        "reactivateUserAccount",
        "resetPassword",
        "getUserAccountPii",
        "getApplication",
        "listAffiliationStatus",
        "getAffiliationStatus",
        "live",
        "ready",
    }
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    register = document["paths"]["/v1/organizations"]["post"]
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    required = set(document["components"]["schemas"][schema_ref]["required"])
    assert required >= {"legal_name", "npi", "entity_kind", "tin", "taxonomies", "practice_address"}
