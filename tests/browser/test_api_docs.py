"""The interactive API docs work on a machine with no internet: Swagger UI from the package's own files lists
every operation of the served OpenAPI document, and a request sent from it reaches the API."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Visit
from tests.support import Stack


def test_the_docs_list_every_operation_from_local_files(visit: Visit, demo: Stack) -> None:
    document = httpx.get(demo.base_url + "/schema/openapi.json").json()
    operations = sum(
        1 for item in document["paths"].values() for method in item if method in ("get", "post", "put", "delete")
    )
    page = visit.page
    page.goto("/schema")
    expect(page.locator(".opblock")).to_have_count(operations, timeout=30_000)
    summary = document["paths"]["/v1/organizations"]["post"]["summary"]
    expect(page.locator(".opblock-summary-description", has_text=summary)).to_have_count(1)

    # Try it out: the health probe, answered by the API behind the page.
    probe = page.locator("#operations-health-live")
    probe.locator(".opblock-summary").click()
    probe.get_by_role("button", name="Try it out").click()
    probe.get_by_role("button", name="Execute").click()
    expect(probe.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    # visit's teardown asserts that no request left the service (scripts, styles, icon all local).
