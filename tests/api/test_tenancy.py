"""Two tenants: neither can read, change or see the other's records, through the API or in SQL."""

from __future__ import annotations

import psycopg
import pytest

from tests.api.helpers import assert_problem, events_of, open_application, register, wait_for_view
from tests.support import Stack


def test_other_tenants_organization_is_not_found(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = (stack.client(t) for t in tenants)
    org = register(a)
    assert a.get(f"/v1/organizations/{org}").status_code == 200
    assert_problem(b.get(f"/v1/organizations/{org}"), 404, "not-found")
    # Nor can B act on it: open an application or a user account for A's organization.
    before = events_of(stack, tenants[1])
    assert_problem(
        b.post("/v1/applications", json={"organization_id": org, "kind": "enrollment", "channel": "portal"}),
        404,
        "not-found",
    )
    assert_problem(
        b.post("/v1/user-accounts", json={"organization_id": org, "person_name": "Mallory", "role": "primary"}),
        404,
        "not-found",
    )
    assert events_of(stack, tenants[1]) == before == 0


def test_other_tenants_application_and_account_cannot_be_changed(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = (stack.client(t) for t in tenants)
    org = register(a)
    application = open_application(a, org)
    account = a.post("/v1/user-accounts", json={"organization_id": org, "person_name": "Pat", "role": "primary"})
    account_id = account.json()["id"]
    assert_problem(
        b.post(f"/v1/applications/{application}/submit", json={"submitted_on": "2026-04-21"}), 404, "not-found"
    )
    assert_problem(b.get(f"/v1/applications/{application}"), 404, "not-found")
    assert_problem(
        b.post(f"/v1/user-accounts/{account_id}/access-grants", json={"function": "claims_batch"}), 404, "not-found"
    )
    assert_problem(b.post(f"/v1/user-accounts/{account_id}/deactivate", json={}), 404, "not-found")
    assert_problem(b.get(f"/v1/user-accounts/{account_id}"), 404, "not-found")
    # A's records are untouched.
    assert a.get(f"/v1/applications/{application}").json()["status"] == "open"
    assert a.get(f"/v1/user-accounts/{account_id}").json()["status"] == "active"


def test_view_rows_are_invisible_to_the_other_tenant(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = (stack.client(t) for t in tenants)
    org_a = register(a, legal_name="A Practice")
    org_b = register(b, legal_name="B Practice")
    wait_for_view(a, org_a)
    wait_for_view(b, org_b)
    assert [i["organization_id"] for i in a.get("/v1/views/affiliation-status").json()["items"]] == [org_a]
    assert [i["organization_id"] for i in b.get("/v1/views/affiliation-status").json()["items"]] == [org_b]
    assert_problem(b.get(f"/v1/views/affiliation-status/{org_a}"), 404, "not-found")


def test_api_role_sees_only_its_tenant_in_sql(stack: Stack, tenants: tuple[str, str]) -> None:
    """Row-level security, forced, as the role the API connects with — not just a WHERE clause."""
    a = stack.client(tenants[0])
    org = register(a)
    wait_for_view(a, org)
    with psycopg.connect(stack.api_role_url(), autocommit=True) as con:
        assert con.execute("SELECT current_user").fetchone()[0] == "credledger_api"
        count = "SELECT count(*) FROM affiliation_status"
        assert con.execute(count).fetchone()[0] == 0  # no tenant set: nothing
        with con.transaction():
            con.execute("SELECT set_config('app.tenant_id', %s, true)", (tenants[1],))
            assert con.execute(count).fetchone()[0] == 0
            assert (
                con.execute("SELECT count(*) FROM affiliation_status WHERE organization_id = %s", (org,)).fetchone()[0]
                == 0
            )
        with con.transaction():
            con.execute("SELECT set_config('app.tenant_id', %s, true)", (tenants[0],))
            assert con.execute(count).fetchone()[0] == 1
        # The API role cannot read the event store, nor write views, nor switch RLS off.
        for statement in (
            "SELECT count(*) FROM credledger_events",
            "DELETE FROM affiliation_status",
            "ALTER TABLE affiliation_status NO FORCE ROW LEVEL SECURITY",
            "SET row_security = off; SELECT count(*) FROM affiliation_status",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)


def test_every_read_model_table_with_tenant_id_forces_rls(stack: Stack) -> None:
    rows = stack.sql(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attname = 'tenant_id' "
        # The event store is not a read model: the API role has no privilege on it at all
        # (test_api_role_sees_only_its_tenant_in_sql), and the relay reads every tenant.
        "AND c.relname <> 'credledger_events'"
    )
    assert {r[0] for r in rows} >= {"affiliation_status", "affiliation_applications", "projection_versions"}
    assert [r[0] for r in rows if not (r[1] and r[2])] == []


def test_client_viewer_sees_only_listed_organizations(stack: Stack, tenants: tuple[str, str]) -> None:
    admin = stack.client(tenants[0])
    mine, other = register(admin, legal_name="Mine"), register(admin, legal_name="Other")
    wait_for_view(admin, mine)
    wait_for_view(admin, other)
    client_viewer = stack.client(tenants[0], role="client_viewer", orgs=[mine])
    assert client_viewer.get(f"/v1/organizations/{mine}").status_code == 200
    assert_problem(client_viewer.get(f"/v1/organizations/{other}"), 404, "not-found")
    items = client_viewer.get("/v1/views/affiliation-status").json()["items"]
    assert [i["organization_id"] for i in items] == [mine]


def test_pii_responses_are_for_their_tenant_and_allowed_roles_only(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = (stack.client(t) for t in tenants)
    org = register(a)
    account = a.post(
        "/v1/user-accounts",
        json={"organization_id": org, "person_name": "Dana", "role": "primary", "date_of_birth": "1980-01-31"},
    ).json()["id"]
    assert a.get(f"/v1/organizations/{org}/pii", params={"purpose": "credentialing check"}).status_code == 200
    assert (
        a.get(f"/v1/user-accounts/{account}/pii", params={"purpose": "credentialing check"}).json()["date_of_birth"]
        == "1980-01-31"
    )
    specialist = stack.client(tenants[0], role="specialist")
    assert specialist.get(f"/v1/organizations/{org}/pii", params={"purpose": "credentialing check"}).status_code == 200
    purpose = {"purpose": "credentialing check"}
    for path in (f"/v1/organizations/{org}/pii", f"/v1/user-accounts/{account}/pii"):
        assert_problem(b.get(path, params=purpose), 404, "not-found")
        for role in ("viewer", "auditor", "client_viewer"):
            assert_problem(stack.client(tenants[0], role=role, orgs=[org]).get(path, params=purpose), 403, "forbidden")
    # The ordinary responses never carry PII.
    assert "date_of_birth" not in a.get(f"/v1/user-accounts/{account}").json()
    assert "tin" not in a.get(f"/v1/organizations/{org}").json()
