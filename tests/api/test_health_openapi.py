from __future__ import annotations

import httpx

from tests.support import Stack


def test_health_endpoints(stack: Stack) -> None:
    assert httpx.get(stack.base_url + "/health/live").json() == {"status": "ok", "checks": {}}
    ready = httpx.get(stack.base_url + "/health/ready").json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "nats": "ok"}}


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
