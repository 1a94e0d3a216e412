"""The dashboard as a credentialing specialist and a client practice use it, in headless Chromium against the
demo firm: sign in with a token, the findings, filters, a record's history, a change arriving live, the pages a
keyboard reaches, an as-of snapshot, a client viewer who sees only its own practice, and the API docs offline."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Visit, auth, token
from tests.support import Stack, process_env

# One worker runs them all (pyproject: --dist loadgroup): one demo firm and one browser, not one per worker.
pytestmark = pytest.mark.xdist_group("browser")
SEVERITIES = ("critical", "high", "medium", "low")


def sign_in(page: Page, bearer: str) -> None:
    page.goto("/")
    page.get_by_label("Bearer token").fill(bearer)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).not_to_be_empty()


def api(demo: Stack, role: str = "specialist", **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=demo.base_url, headers=auth("demo", role, **kwargs), timeout=30)


def listed(client: httpx.Client, path: str, **params: object) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return items


def test_a_specialist_signs_in_and_sees_the_firms_findings(visit: Visit, demo: Stack) -> None:
    page = visit.page
    page.goto("/")
    page.get_by_label("Bearer token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The token was refused")

    sign_in(page, token("demo", "specialist"))
    expect(page.get_by_test_id("who")).to_have_text("pat · specialist · demo")
    today = datetime.now(ZoneInfo("America/New_York")).date()
    expect(page.locator("#today time")).to_have_attribute("datetime", today.isoformat())

    practices = listed(api(demo), "/v1/views/access-audit", has_findings="true")
    assert practices, "the demo firm has findings"
    rows = page.get_by_test_id("findings").locator("tbody tr")
    expect(rows).to_have_count(len(practices))
    for severity in SEVERITIES:
        found = sum(1 for row in practices for finding in row["findings"] if finding["severity"] == severity)
        expect(page.locator(f"[data-severity={severity}] .count")).to_have_text(str(found))
    first = practices[0]
    expect(rows.first).to_contain_text(first["legal_name"])
    expect(rows.first.locator("[data-kind]")).to_have_count(len(first["findings"]))


def test_filters_narrow_the_findings_as_the_api_does(visit: Visit, demo: Stack) -> None:
    page = visit.page
    sign_in(page, token("demo", "viewer"))
    critical = listed(api(demo, "viewer"), "/v1/views/access-audit", has_findings="true", severity="critical")
    page.get_by_label("Severity", exact=True).select_option("critical")
    rows = page.get_by_test_id("findings").locator("tbody tr")
    expect(rows).to_have_count(len(critical))
    assert "severity=critical" in page.url  # the filter is in the address: it survives a reload and Back

    one = critical[0]
    page.get_by_label("Client", exact=True).select_option(one["organization_id"])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(one["legal_name"])
    page.reload()
    expect(page.get_by_label("Client", exact=True)).to_have_value(one["organization_id"])
    expect(rows).to_have_count(1)


def test_a_records_history_says_who_when_and_why(visit: Visit, demo: Stack) -> None:
    page = visit.page
    sign_in(page, token("demo", "specialist"))
    rows = page.get_by_test_id("findings").locator("tbody tr")
    practice = rows.first.get_attribute("data-organization")
    history = api(demo).get(f"/v1/organizations/{practice}/history", params={"limit": 100}).json()["items"]
    rows.first.get_by_role("link").first.click()

    table = page.get_by_test_id("history")
    expect(table.locator("tbody tr")).to_have_count(len(history))
    first = table.locator("tbody tr").first
    expect(first).to_contain_text(history[0]["actor"])
    expect(first).to_contain_text(history[0]["summary"])
    expect(first).to_contain_text(history[0]["reason"] or "—")
    # Recorded on the Eastern clock, whatever the browser's own zone.
    recorded = datetime.fromisoformat(history[0]["recorded_at"]).astimezone(ZoneInfo("America/New_York"))
    expect(first.locator("time")).to_contain_text(recorded.strftime("%b %-d, %Y"))
    expect(first.locator("time")).to_contain_text(re.compile("E[SD]T"))


def test_a_change_arrives_live_after_a_command(visit: Visit, demo: Stack) -> None:
    page = visit.page
    sign_in(page, token("demo", "specialist"))
    page.get_by_role("link", name=re.compile("Affiliations")).click()
    matrix = page.get_by_test_id("matrix")
    expect(matrix.locator("tbody tr").first).to_be_visible()
    expect(page.locator("#live")).to_have_text("Live")
    before = matrix.locator("tbody tr").count()

    registered = api(demo).post("/v1/organizations", json=NEW_PRACTICE)
    assert registered.status_code == 201, registered.text
    expect(matrix.locator("tbody tr")).to_have_count(before + 1)  # no reload: the change stream told the page
    expect(matrix).to_contain_text(NEW_PRACTICE["legal_name"])
    expect(page.locator("#live")).to_contain_text("updated")


def test_a_page_downloads_its_report_with_its_filters(visit: Visit, demo: Stack) -> None:
    page = visit.page
    sign_in(page, token("demo", "viewer"))
    page.get_by_role("link", name=re.compile("Affiliations")).click()
    page.get_by_label("Only sole-enrollment risks").check()
    expect(page.get_by_test_id("matrix").locator("tbody tr").first).to_be_visible()
    risky = listed(api(demo, "viewer"), "/v1/views/affiliation-status", sole_enrollment_risk="true")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    saved = csv_download.value
    assert saved.suggested_filename.startswith("affiliation-status-demo-") and saved.suggested_filename.endswith(".csv")
    lines = Path(saved.path()).read_text().splitlines()
    assert len(lines) == 1 + len(risky)  # the header, then the page's rows: the filter went with it
    assert {row["legal_name"] for row in risky} <= {line.split(",")[0].strip('"') for line in lines[1:]}
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Download XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK"  # a workbook is a zip


def test_the_keyboard_reaches_every_page(visit: Visit) -> None:
    page = visit.page
    sign_in(page, token("demo", "viewer"))
    expect(page.get_by_test_id("findings")).to_be_visible()
    for key, title, testid in (
        ("2", "Affiliations", "matrix"),
        ("3", "Turnaround", "aging"),
        ("4", "Expirables", "expirables"),
        ("5", "Work queue", "tasks"),
    ):
        page.keyboard.press(key)
        expect(page.get_by_role("heading", level=2)).to_have_text(title)
        expect(page.get_by_test_id(testid)).to_be_visible()
        expect(page.locator("nav a[aria-current]")).to_contain_text(title)
    # The menu is links: Tab to one and Enter opens it, as in any page.
    page.locator("nav a[data-page=findings]").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("findings")).to_be_visible()
    # Typing in a field is not a shortcut.
    page.get_by_label("Severity", exact=True).focus()
    page.keyboard.press("3")
    expect(page.get_by_role("heading", level=2)).to_have_text("Access-audit findings")


def test_the_pages_show_what_the_views_say(visit: Visit, demo: Stack) -> None:
    page = visit.page
    client = api(demo, "viewer")
    sign_in(page, token("demo", "viewer"))

    page.goto("/dashboard/#/expirables")
    counts = client.get("/v1/views/expirables").json()["counts"]
    for window, count in counts.items():
        expect(page.locator(f"[data-window='{window}']")).to_contain_text(f": {count}")
    page.locator("[data-window=overdue]").click()
    expirables = page.get_by_test_id("expirables").locator("tbody tr")
    expect(expirables).to_have_count(counts["overdue"])
    page.get_by_role("button", name="All", exact=True).click()  # pages of 50, then one more on request
    expect(expirables).to_have_count(min(50, sum(counts.values())))
    page.get_by_role("button", name="Show more").click()
    expect(expirables).to_have_count(min(100, sum(counts.values())))

    page.goto("/dashboard/#/turnaround?kind=enrollment")
    today = datetime.now(ZoneInfo("America/New_York")).date()
    first = date(today.year - (today.month < 12), (today.month % 12) + 1, 1)  # twelve months, this one included
    recent = client.get(
        "/v1/views/turnaround/metrics",
        params={"kind": "enrollment", "pooled": "true", "from": f"{first:%Y-%m}", "to": f"{today:%Y-%m}", "limit": 100},
    ).json()["items"]
    assert recent, "the demo firm decided enrollments this year"
    expect(page.get_by_test_id("metrics").locator("tbody tr")).to_have_count(len(recent))
    expect(page.locator("svg.chart rect")).to_have_count(2 * len(recent))  # median and p90 per month

    page.goto("/dashboard/#/work?list=unassigned")
    counts = client.get("/v1/views/work-queue/counts").json()
    expect(page.get_by_test_id("work-counts")).to_contain_text(f"{counts['late']} late")
    unassigned = client.get("/v1/views/work-queue", params={"unassigned": "true", "limit": 100}).json()["items"]
    expect(page.get_by_test_id("tasks").locator("tbody tr")).to_have_count(len(unassigned) or 1)


def test_the_as_of_picker_reads_a_replay_snapshot(visit: Visit, demo: Stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = process_env(demo.database_url, demo.nats_url, demo.namespace, tmp_path / "data")
    day = "2026-06-30"
    done = subprocess.run(
        [sys.executable, "-m", "services", "replay", "--as-of", day, "--name", "end_of_june"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    then = listed(api(demo, "viewer"), "/v1/views/affiliation-status", snapshot="end_of_june")
    now = listed(api(demo, "viewer"), "/v1/views/affiliation-status")
    assert len(then) < len(now), "the demo firm signed clients after June"

    page = visit.page
    sign_in(page, token("demo", "viewer"))
    page.get_by_role("link", name=re.compile("Affiliations")).click()
    rows = page.get_by_test_id("matrix").locator("tbody tr")
    expect(rows).to_have_count(len(now))
    page.get_by_label("Views", exact=True).select_option("end_of_june")
    expect(rows).to_have_count(len(then))
    expect(page.locator("#as-of")).to_have_value(day)
    expect(page.locator("#live")).to_contain_text("live updates are off")
    page.get_by_role("link", name=re.compile("Findings")).click()
    expect(page.locator(".as-of time")).to_have_attribute("datetime", day)


def test_a_client_viewer_sees_only_its_own_practice(visit: Visit, demo: Stack) -> None:
    everyone = listed(api(demo, "viewer"), "/v1/views/affiliation-status")
    tasks = api(demo, "viewer").get("/v1/views/work-queue/counts").json()["by_organization"]
    own = next(row for row in everyone if row["organization_id"] in tasks)
    page = visit.page
    sign_in(page, token("demo", "client_viewer", orgs=(own["organization_id"],)))

    # The client filter offers "every client" (its one) and itself.
    expect(page.get_by_label("Client", exact=True).locator("option")).to_have_count(2)
    page.get_by_role("link", name=re.compile("Affiliations")).click()
    rows = page.get_by_test_id("matrix").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(own["legal_name"])
    page.get_by_role("link", name=re.compile("Work queue")).click()
    tasks_shown = page.get_by_test_id("tasks").locator("tbody tr")
    expect(tasks_shown).to_have_count(tasks[own["organization_id"]])
    for name in {row["legal_name"] for row in everyone} - {own["legal_name"]}:
        expect(page.get_by_test_id("tasks")).not_to_contain_text(name)


NEW_PRACTICE = {
    "legal_name": "Quabbin Valley Pediatrics",
    "tin": "04-3219876",
    "tin_kind": "ein",
    "npi": "1234567893",
    "entity_kind": "group",
    "taxonomies": [{"code": "208000000X", "primary": True}],
    "taxonomy_version": "25.1",
    "practice_address": {"line1": "12 Main St", "city": "Ware", "state": "MA", "postal_code": "01082"},
    "provider_type": "physician group",
    "risk_level": "limited",
}


# The interactive API docs work on a machine with no internet: Swagger UI from the package's own files lists every
# operation of the served OpenAPI document, and a request sent from it reaches the API.
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
