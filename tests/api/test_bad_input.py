"""Bad input gets a problem response and stores nothing."""

from __future__ import annotations

import pytest

from tests.api.helpers import ORG, assert_problem, events_of, refusals_of, register
from tests.support import Stack


def test_invalid_npi_is_refused_and_stores_nothing(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    body = assert_problem(client.post("/v1/organizations", json={**ORG, "npi": "1234567890"}), 422, "invalid-npi")
    assert body["errors"] == [{"field": "npi", "reason": "The NPI's check digit is wrong."}]
    assert events_of(stack, tenants[0]) == 0


def test_malformed_body_is_refused_and_stores_nothing(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    response = client.post(
        "/v1/organizations", content=b'{"legal_name": "Acme", "npi": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed-body")
    assert events_of(stack, tenants[0]) == 0


def test_unknown_field_is_refused_and_named(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    response = client.post("/v1/organizations", json={**ORG, "fax_number": "6179888974"})
    body = assert_problem(response, 400, "invalid-request")
    assert "fax_number" in body["detail"]
    assert events_of(stack, tenants[0]) == 0


@pytest.mark.parametrize(
    "patch, field",
    [({"entity_kind": "hospital"}, "entity_kind"), ({"legal_name": 7}, "legal_name"), ({"npi": None}, "npi")],
)
def test_wrong_types_and_values_are_refused(stack: Stack, tenants: tuple[str, str], patch: dict, field: str) -> None:
    client = stack.client(tenants[0])
    body = assert_problem(client.post("/v1/organizations", json={**ORG, **patch}), 400, "invalid-request")
    assert field in body["detail"]
    assert events_of(stack, tenants[0]) == 0


def test_blank_legal_name_names_the_field(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    body = assert_problem(client.post("/v1/organizations", json={**ORG, "legal_name": "  "}), 422, "invalid-value")
    assert body["errors"][0]["field"] == "legal_name"
    assert events_of(stack, tenants[0]) == 0


def test_command_on_a_missing_field_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    before = events_of(stack, tenants[0])
    response = client.post("/v1/applications", json={"organization_id": org, "kind": "enrollment"})
    body = assert_problem(response, 400, "invalid-request")
    assert "channel" in body["detail"]
    assert events_of(stack, tenants[0]) == before


def test_bad_if_match_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    application = client.post(
        "/v1/applications", json={"organization_id": org, "kind": "enrollment", "channel": "mail"}
    )
    response = client.post(
        f"/v1/applications/{application.json()['id']}/submit",
        json={"submitted_on": "2026-04-21"},
        headers={"If-Match": "yesterday"},
    )
    assert_problem(response, 400, "invalid-request")
    assert client.get(f"/v1/applications/{application.json()['id']}").json()["status"] == "open"


def test_auth_is_required_and_checked(stack: Stack, tenants: tuple[str, str]) -> None:
    import httpx

    anonymous = httpx.Client(base_url=stack.base_url)
    response = anonymous.post("/v1/organizations", json=ORG)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    import jwt

    from tests.support import JWT_SECRET

    blank = jwt.encode(
        {"sub": "", "tenant": tenants[0], "role": "firm_admin", "iss": "credledger", "exp": 2**31}, JWT_SECRET
    )
    nobody = httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Bearer {blank}"})
    assert_problem(nobody.post("/v1/organizations", json=ORG), 401, "unauthorized")
    forged = httpx.Client(base_url=stack.base_url, headers={"Authorization": "Bearer not.a.token"})
    assert_problem(forged.get("/v1/views/affiliation-status"), 401, "unauthorized")
    viewer = stack.client(tenants[0], role="viewer")
    assert_problem(viewer.post("/v1/organizations", json=ORG), 403, "forbidden")
    assert events_of(stack, tenants[0]) == 0
    assert refusals_of(stack, tenants[0]) == 1  # the refused attempt itself is on record


def test_oversized_input_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    """No event may outgrow a NATS message: long reasons and huge bodies never get in."""
    client = stack.client(tenants[0])
    body = assert_problem(client.post("/v1/organizations", json={**ORG, "reason": "x" * 2001}), 400, "invalid-request")
    assert "reason" in body["detail"]
    huge = {**ORG, "legal_name": "y" * 300_000}
    assert_problem(client.post("/v1/organizations", json=huge), 413, "too-large")
    assert events_of(stack, tenants[0]) == 0


def test_a_token_that_expires_is_refused_even_after_it_was_accepted(stack: Stack, tenants: tuple[str, str]) -> None:
    """The API verifies a token once and remembers it; its expiry is still checked on every request. The clock
    is the test's: the token is accepted, then refused once its expiry has passed, with no waiting."""
    import time

    import httpx
    from litestar.exceptions import NotAuthorizedException

    from services.api.auth import decode_token, issue_token
    from tests.support import JWT_SECRET

    token = issue_token(JWT_SECRET, tenant=tenants[0], role="viewer", user="brief", ttl_seconds=60)
    assert decode_token(JWT_SECRET, token).tenant_id == tenants[0]  # verified, and remembered
    with pytest.raises(NotAuthorizedException, match="expired"):
        decode_token(JWT_SECRET, token, clock=lambda: time.time() + 61)
    assert decode_token(JWT_SECRET, token, clock=lambda: time.time() + 59).user_id == "brief"

    # Through the API: a token whose expiry has passed is refused.
    expired = issue_token(JWT_SECRET, tenant=tenants[0], role="viewer", user="brief", ttl_seconds=-1)
    late = httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Bearer {expired}"})
    assert_problem(late.get("/v1/views/affiliation-status"), 401, "unauthorized")


def test_a_token_whose_user_holds_a_control_character_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    """The token's subject is recorded as the actor of every event and setting its holder writes: a control
    character in it (a token signed with our secret, by a buggy issuer) is an invalid token, never a 500."""
    import time

    import httpx
    import jwt

    from domain.errors import InvalidValue
    from services.api.auth import ALGORITHM, ISSUER, issue_token
    from tests.support import JWT_SECRET

    with pytest.raises(InvalidValue, match="user"):
        issue_token(JWT_SECRET, tenant=tenants[0], role="firm_admin", user="pat\x00")
    claims = {"sub": "pat\x00", "tenant": tenants[0], "role": "firm_admin", "iss": ISSUER, "exp": int(time.time()) + 60}
    token = jwt.encode(claims, JWT_SECRET, ALGORITHM)
    forged = httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"})
    assert_problem(forged.put("/v1/settings", json={"access_review_interval_days": 30}), 401, "unauthorized")
    assert_problem(forged.post("/v1/organizations", json=ORG), 401, "unauthorized")
    assert events_of(stack, tenants[0]) == 0
