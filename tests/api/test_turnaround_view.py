"""The turnaround-metrics view through the HTTP API: Massachusetts business days per application, the client's
and the payer's share of the delay, metrics per kind x plan x provider type x month against tenant SLA targets,
aging of open applications, and the filters, sorts, pages and tenant boundaries of every query.

Expected day counts are worked out by hand in the comments (business days AFTER the start day up to and
including the end day; weekends and observed Massachusetts holidays skipped), not with the code under test."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api import helpers
from tests.api.helpers import ORG, assert_problem, nppes_record, register
from tests.api.test_endpoints import DOCS
from tests.support import Stack, fresh

VIEW = "/v1/views/turnaround"
TUFTS = "Tufts Health Together"
# The practices were taken on, and their applications started, before the earliest document or submission here.
REGISTERED, OPENED = "2025-11-03", "2025-11-04"


# --- driving applications through the API ----------------------------------------------------------------


def post(client: httpx.Client, path: str, body: dict[str, Any]) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text


def open_application(client: httpx.Client, org: str, kind: str, **extra: Any) -> str:
    return helpers.open_application(client, org, kind, opened_on=OPENED, **extra)


def posc(client: httpx.Client, org: str, submitted: str, decided: str | None = None, outcome: str = "approve") -> str:
    """A POSC registration (the organization's NPPES record must match): submitted, and decided if given."""
    app = open_application(client, org, "posc_registration")
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": submitted})
    if decided:
        decide(client, app, decided, outcome)
    return app


def decide(client: httpx.Client, app: str, on: str, outcome: str = "approve", **extra: Any) -> None:
    body = {"decided_on": on, **extra} if outcome == "approve" else {"decided_on": on, "reason": "incomplete form"}
    post(client, f"/v1/applications/{app}/{outcome}", body)


def enrollment(client: httpx.Client, org: str, submitted: str) -> str:
    app = open_application(client, org, "enrollment")
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2025-12-01", **extra}
        post(client, f"/v1/applications/{app}/documents", body)
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": submitted})
    return app


def mco(client: httpx.Client, org: str, submitted: str) -> str:
    """An MCO credentialing application (plan named; not checked against NPPES)."""
    app = open_application(client, org, "mco_affiliation", plan=TUFTS)
    for doc_type in ("w9", "license", "liability_coi"):
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2025-12-01", **DOCS[doc_type]}
        post(client, f"/v1/applications/{app}/documents", body)
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": submitted})
    return app


def deficiency(client: httpx.Client, app: str, noticed: str, resolved: str | None = None, ref: str = "d-1") -> None:
    body = {"deficiency_id": ref, "missing_items": ["signed W-9"], "noticed_on": noticed}
    post(client, f"/v1/applications/{app}/deficiencies", body)
    if resolved:
        post(client, f"/v1/applications/{app}/deficiencies/{ref}/resolve", {"resolved_on": resolved})


def practice(client: httpx.Client, **overrides: Any) -> str:
    """A client practice whose profile matches its NPPES record, so its POSC registrations can be submitted."""
    org = register(client, **{"registered_on": REGISTERED, **overrides})
    name = overrides.get("legal_name", ORG["legal_name"]).upper()
    record = nppes_record(basic={"organization_name": name, "status": "A", "last_updated": "2026-01-05"})
    post(client, f"/v1/organizations/{org}/nppes-snapshots", {"record": record, "retrieved_on": "2026-03-01"})
    return org


# --- reading the view ------------------------------------------------------------------------------------


def turnaround(client: httpx.Client, app: str, **params: Any) -> dict[str, Any] | None:
    response = client.get(f"{VIEW}/applications/{app}", params=params)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(client: httpx.Client, app: str, **expected: Any) -> dict[str, Any]:
    """The application's turnaround row once the views include every command sent so far."""
    fresh(client)
    row = turnaround(client, app)
    assert row is not None, f"no turnaround row for {app}"
    assert {k: row[k] for k in expected} == expected, row
    return row


def items(client: httpx.Client, route: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{VIEW}/{route}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def ids(client: httpx.Client, **params: Any) -> list[str]:
    return [i["application_id"] for i in items(client, "applications", **params)]


def metric(rows: list[dict[str, Any]], **key: Any) -> dict[str, Any]:
    (found,) = [r for r in rows if all(r[k] == v for k, v in key.items())]
    return found


# --- scenarios -------------------------------------------------------------------------------------------


def test_business_days_skip_patriots_day_and_juneteenth(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    # Thu 2026-04-16 -> Fri 2026-04-24: Fri 17, [Mon 20 Patriots' Day], Tue 21 .. Fri 24 = 5 (6 with it).
    april = posc(client, org, "2026-04-16", "2026-04-24")
    # Wed 2026-06-17 -> Tue 2026-06-23: Thu 18, [Fri 19 Juneteenth], Mon 22, Tue 23 = 3.
    june = posc(client, org, "2026-06-17", "2026-06-23")
    row = wait_for(client, april, status="decided")
    assert (row["business_days"], row["client_days"], row["payer_days"]) == (5, 0, 5)
    assert (row["counted_to"], row["outcome"], row["sla_target_days"], row["breached"]) == (
        "2026-04-24",
        "approved",
        7,
        False,
    )
    assert row["organization_id"] == org and row["kind"] == "posc_registration" and row["plan"] is None
    assert row["provider_type"] == "physician group"
    row = wait_for(client, june, status="decided")
    assert (row["business_days"], row["payer_days"]) == (3, 3)


def test_a_rejection_restarts_the_clock_at_the_resubmission(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    app = open_application(client, org, "posc_registration")
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": "2026-04-01"})
    post(client, f"/v1/applications/{app}/reject", {"rejected_on": "2026-04-03", "cause": "NPPES address mismatch"})
    row = wait_for(client, app, rejections=1)
    assert (row["status"], row["submitted_on"], row["business_days"], row["breached"]) == (
        "preparing",
        None,
        None,
        None,
    )
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": "2026-04-16"})
    decide(client, app, "2026-04-24")
    row = wait_for(client, app, status="decided")
    # Counted from the resubmission (5 days, see above), not from 2026-04-01 (16 days).
    assert (row["first_submitted_on"], row["submitted_on"], row["submissions"]) == ("2026-04-01", "2026-04-16", 2)
    assert (row["business_days"], row["last_rejected_on"], row["breached"]) == (5, "2026-04-03", False)


def test_a_deficiency_shows_the_clients_share_of_the_delay(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    app = enrollment(client, org, "2026-03-02")  # a Monday
    # Noticed Tue 2026-04-14, resolved Wed 2026-04-22: Wed 15, Thu 16, Fri 17, [Patriots' Day], Tue 21, Wed 22 = 5.
    deficiency(client, app, "2026-04-14")
    row = wait_for(client, app, open_deficiencies=1)
    # Open, as of Fri 2026-04-17: March after the 2nd has 21 business days, April 1-17 has 13 -> 34 so far,
    # of which the client's 3 (15, 16, 17).
    row = turnaround(client, app, as_of="2026-04-17")
    assert row is not None
    assert (row["status"], row["waiting_on"], row["counted_to"]) == ("open", "client", "2026-04-17")
    assert (row["business_days"], row["client_days"], row["payer_days"], row["breached"]) == (34, 3, 31, False)

    post(client, f"/v1/applications/{app}/deficiencies/d-1/resolve", {"resolved_on": "2026-04-22"})
    post(
        client,
        f"/v1/applications/{app}/screenings",
        {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-04-23"},
    )
    row = wait_for(client, app, open_deficiencies=0)
    assert row["waiting_on"] == "payer"
    decide(client, app, "2026-06-22", provider_number="1112223")
    row = wait_for(client, app, status="decided")
    # Mon 2026-03-02 -> Mon 2026-06-22: March 21, April 21 (Patriots' Day), May 20 (Memorial Day),
    # June 1-22 15 (Juneteenth) = 77, over the enrollment target of 60.
    assert (row["business_days"], row["client_days"], row["payer_days"]) == (77, 5, 72)
    assert (row["deficiencies"], row["sla_target_days"], row["breached"]) == (1, 60, True)
    assert row["outcome"] == "approved" and row["waiting_on"] is None


def test_metrics_per_kind_plan_provider_type_and_month(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    group = practice(client)  # physician group
    dental = practice(client, legal_name="Quincy Dental", provider_type="dental practice")
    decided = [
        # April, physician group: 5 days (Patriots' Day), 3 (Thu 2, Fri 3, Mon 6), 9 (Apr 2..14 less weekends).
        posc(client, group, "2026-04-16", "2026-04-24"),
        posc(client, group, "2026-04-01", "2026-04-06"),
        posc(client, group, "2026-04-01", "2026-04-14", outcome="deny"),
        # May: 5 (Fri 1 -> Fri 8), and 6 (Wed 20 -> Fri 29, Memorial Day skipped) with a deficiency from
        # Thu 21 to Tue 26: the client's 2 days (Fri 22, Tue 26), the payer's 4.
        posc(client, group, "2026-05-01", "2026-05-08"),
        posc(client, group, "2026-05-20"),
        # April, dental practice: 4 days (Mon 6 -> Fri 10).
        posc(client, dental, "2026-04-06", "2026-04-10"),
    ]
    deficiency(client, decided[4], "2026-05-21", "2026-05-26")
    decide(client, decided[4], "2026-05-29")
    # Neither an open application nor a withdrawn one is in the metrics.
    posc(client, group, "2026-04-02")
    withdrawn = posc(client, group, "2026-04-02")
    post(client, f"/v1/applications/{withdrawn}/withdraw", {"withdrawn_on": "2026-04-09"})
    for app in decided:
        wait_for(client, app, status="decided")
    wait_for(client, withdrawn, status="withdrawn")

    rows = items(client, "metrics")
    assert [(r["month"], r["provider_type"]) for r in rows] == [
        ("2026-04", "dental practice"),
        ("2026-04", "physician group"),
        ("2026-05", "physician group"),
    ]
    april = metric(rows, month="2026-04", provider_type="physician group")
    assert (april["kind"], april["plan"], april["count"], april["approved"], april["denied"]) == (
        "posc_registration",
        None,
        3,
        2,
        1,
    )
    # [3, 5, 9]: median 5; p90 = 5 + 0.8 * (9 - 5) = 8.2 (linear interpolation); 9 > 7 is the one breach.
    assert (april["median_business_days"], april["p90_business_days"]) == (5.0, 8.2)
    assert (april["sla_target_days"], april["breaches"], april["deficiency_rate"]) == (7, 1, 0.0)
    may = metric(rows, month="2026-05")
    # [5, 6]: median 5.5, p90 5.9; client days [0, 2], payer days [5, 4]; one of two had a deficiency.
    assert (may["count"], may["median_business_days"], may["p90_business_days"]) == (2, 5.5, 5.9)
    assert (may["median_client_days"], may["median_payer_days"], may["deficiency_rate"]) == (1.0, 4.5, 0.5)
    assert may["breaches"] == 0

    # The tenant's own target (firm administrators only) applies on the next read: 4 business days.
    assert_problem(
        stack.client(tenants[0], role="specialist").put("/v1/settings", json={"sla_targets": {"posc_registration": 4}}),
        403,
        "forbidden",
    )
    assert client.put("/v1/settings", json={"sla_targets": {"posc_registration": 4}}).status_code == 200
    rows = items(client, "metrics")
    assert [(r["month"], r["sla_target_days"], r["breaches"]) for r in rows] == [
        ("2026-04", 4, 0),  # dental: 4 is not over 4
        ("2026-04", 4, 2),  # 5 and 9
        # 5; not the 6 with a deficiency: on the payer's clock it took 4, the client held it 2 (DESIGN §1: a
        # deficiency notice stops the payer's clock).
        ("2026-05", 4, 1),
    ]
    assert turnaround(client, decided[0])["breached"] is True  # type: ignore[index]

    # Filters: months (inclusive), provider type, kind; sorted and paged.
    assert [r["month"] for r in items(client, "metrics", **{"from": "2026-05"})] == ["2026-05"]
    assert [r["month"] for r in items(client, "metrics", to="2026-04")] == ["2026-04", "2026-04"]
    assert [r["count"] for r in items(client, "metrics", provider_type="dental practice")] == [1]
    assert items(client, "metrics", kind="enrollment") == []
    by_count = items(client, "metrics", sort="-count")
    assert [r["count"] for r in by_count] == [3, 2, 1]
    first = client.get(f"{VIEW}/metrics", params={"sort": "-median_business_days", "limit": 2}).json()
    assert [r["median_business_days"] for r in first["items"]] == [5.5, 5.0]
    second = client.get(
        f"{VIEW}/metrics", params={"sort": "-median_business_days", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [r["median_business_days"] for r in second["items"]] == [4.0] and second["next_cursor"] is None
    assert_problem(client.get(f"{VIEW}/metrics", params={"from": "2026-13"}), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/metrics", params={"to": "April"}), 400, "invalid-request")
    for edge in ({"to": "9999-12"}, {"from": "0000-01"}):  # months whose bounds leave the calendar
        assert_problem(client.get(f"{VIEW}/metrics", params=edge), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/metrics", params={"sort": "p50"}), 400, "invalid-request")

    # Pooled: one group per kind and month over every plan and provider type, computed from the applications
    # (April's [3, 4, 5, 9]: median 4.5, p90 5 + 0.7 * (9 - 5) = 7.8), not from the groups' own medians.
    pooled = items(client, "metrics", pooled="true")
    assert [(r["month"], r["kind"], r["plan"], r["provider_type"], r["count"]) for r in pooled] == [
        ("2026-04", "posc_registration", None, None, 4),
        ("2026-05", "posc_registration", None, None, 2),
    ]
    assert (pooled[0]["median_business_days"], pooled[0]["breaches"]) == (4.5, 2)
    assert pooled[0]["p90_business_days"] == pytest.approx(7.8)
    assert pooled[1]["median_business_days"] == may["median_business_days"]
    assert [r["count"] for r in items(client, "metrics", pooled="true", provider_type="dental practice")] == [1]
    assert_problem(client.get(f"{VIEW}/metrics", params={"pooled": "maybe"}), 400, "invalid-request")

    # Metrics use the organization's current provider type: a correction re-labels its decided applications.
    post(client, f"/v1/organizations/{dental}/profile-corrections", {"provider_type": "oral surgery group"})
    fresh(client)
    assert items(client, "metrics", provider_type="oral surgery group")
    assert items(client, "metrics", provider_type="dental practice") == []
    assert turnaround(client, decided[5])["provider_type"] == "oral surgery group"  # type: ignore[index]


def test_aging_of_open_applications(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    fresh = posc(client, org, "2026-04-16")  # to Fri 04-24: 5 days (Patriots' Day)
    # From Mon 03-02: 21 in March + 17 to Fri 04-24 (1-3, 6-10, 13-17, 21-24) = 38.
    middle = mco(client, org, "2026-03-02")
    # From Fri 01-02: 19 in January (MLK Day), 19 in February (Washington's Birthday), 22 in March, 17 = 77.
    old = mco(client, org, "2026-01-02")
    deficiency(client, old, "2026-04-01")
    later = posc(client, org, "2026-05-04")  # submitted after the reference day: not aged then
    done = posc(client, org, "2026-04-01", "2026-04-06")  # decided: not open
    wait_for(client, old, open_deficiencies=1)
    for app in (fresh, middle, later):
        wait_for(client, app, status="open")
    wait_for(client, done, status="decided")

    response = client.get(f"{VIEW}/aging", params={"as_of": "2026-04-24"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["as_of"] == "2026-04-24" and page["next_cursor"] is None
    counts = {i["kind"]: {b["label"]: b["count"] for b in i["buckets"]} for i in page["items"]}
    assert counts == {
        "mco_affiliation": {"0-7": 0, "8-30": 0, "31-60": 1, "61-90": 1, "91+": 0},
        "posc_registration": {"0-7": 1, "8-30": 0, "31-60": 0, "61-90": 0, "91+": 0},
    }
    mcos, poscs = page["items"]
    assert (mcos["open"], mcos["waiting_on_client"], mcos["breached"], mcos["sla_target_days"]) == (2, 1, 1, 60)
    assert mcos["oldest_submitted_on"] == "2026-01-02" and poscs["breached"] == 0
    assert mcos["buckets"][-1] == {"label": "91+", "min_days": 91, "max_days": None, "count": 0}

    # A later reference day ages them: to Fri 2026-05-29, +24 business days (Apr 27-30: 4; May: 20, Memorial Day)
    # -> 29 (over the POSC-registration target of 7), 62 and 101; the one from Mon 05-04 has 18.
    page = client.get(f"{VIEW}/aging", params={"as_of": "2026-05-29"}).json()
    counts = {i["kind"]: {b["label"]: b["count"] for b in i["buckets"] if b["count"]} for i in page["items"]}
    assert counts == {"mco_affiliation": {"61-90": 1, "91+": 1}, "posc_registration": {"8-30": 2}}
    assert [i["breached"] for i in page["items"]] == [2, 2]
    assert [i["kind"] for i in items(client, "aging", as_of="2026-04-24", kind="mco_affiliation")] == [
        "mco_affiliation"
    ]
    assert items(client, "aging", as_of="2026-04-24", plan="Some Other Plan") == []
    # The open ones in the per-application list, counted to the same day.
    row = turnaround(client, old, as_of="2026-04-24")
    # Its deficiency, open since Wed 04-01: Apr 2-3, 6-10, 13-17, 21-24 = 16 of them the client's.
    assert (row["business_days"], row["client_days"], row["breached"]) == (77, 16, True)  # type: ignore[index]
    assert_problem(client.get(f"{VIEW}/aging", params={"as_of": "2040-01-02"}), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/aging", params={"as_of": "2026-02-30"}), 400, "invalid-request")


def test_application_filters_sorting_and_pages(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    other = practice(client, legal_name="Worcester Clinic", provider_type="clinic")
    quick = posc(client, org, "2026-04-16", "2026-04-24")  # 5
    slow = posc(client, org, "2026-04-01", "2026-04-14")  # 9: breached
    pending = posc(client, other, "2026-04-20")
    waiting = mco(client, other, "2026-04-06")
    deficiency(client, waiting, "2026-04-08")
    preparing = open_application(client, org, "posc_registration")
    wait_for(client, quick, status="decided")
    wait_for(client, slow, status="decided")
    wait_for(client, pending, status="open")
    wait_for(client, waiting, waiting_on="client")
    wait_for(client, preparing, status="preparing")

    as_of = "2026-04-24"
    # Ascending submission, unsubmitted last; descending business days (open ones counted to as_of:
    # waiting 04-06 -> 04-24 = 13, pending 04-20 -> 04-24 = 4 (the 20th itself is Patriots' Day)).
    assert ids(client, as_of=as_of) == [slow, waiting, quick, pending, preparing]
    assert ids(client, as_of=as_of, sort="-business_days") == [waiting, slow, quick, pending, preparing]
    listed = items(client, "applications", as_of=as_of, sort="-business_days")
    assert [(i["business_days"], i["counted_to"]) for i in listed] == [
        (13, as_of),
        (9, "2026-04-14"),
        (5, "2026-04-24"),
        (4, as_of),
        (None, None),
    ]
    assert ids(client, sort="decided_on") == [slow, quick, *sorted([pending, waiting, preparing])]
    assert ids(client, status="open", as_of=as_of) == [waiting, pending]
    assert ids(client, status="decided") == [slow, quick]
    assert ids(client, status="preparing") == [preparing]
    assert ids(client, waiting_on="client") == [waiting]
    assert ids(client, breached="true", as_of=as_of) == [slow]
    # To Fri 05-29 (+24): pending has 28, over 7; waiting 37, within the MCO target of 60.
    assert ids(client, breached="true", as_of="2026-05-29") == [slow, pending]
    assert ids(client, kind="mco_affiliation") == [waiting]
    assert ids(client, plan=TUFTS) == [waiting]
    assert ids(client, provider_type="clinic", as_of=as_of) == [waiting, pending]
    assert ids(client, organization_id=[other], as_of=as_of) == [waiting, pending]

    # Cursor pages: no row skipped or repeated.
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"sort": "-business_days", "limit": 2, "as_of": as_of}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{VIEW}/applications", params=params).json()
        seen.append([i["application_id"] for i in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [[waiting, slow], [quick, pending], [preparing]]

    bad = client.get(f"{VIEW}/applications", params={"sort": "legal_name"})
    assert_problem(bad, 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/applications", params={"cursor": "not-a-cursor"}), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/applications", params={"status": "approved"}), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/applications", params={"kind": "nope"}), 400, "invalid-request")


def test_tenants_and_client_viewers_see_only_their_own(stack: Stack, tenants: tuple[str, str]) -> None:
    a = stack.client(tenants[0])
    mine = practice(a)
    theirs = practice(a, legal_name="Springfield Pediatrics", provider_type="pediatric group")
    my_app = posc(a, mine, "2026-04-16", "2026-04-24")
    their_app = posc(a, theirs, "2026-04-01", "2026-04-14")
    my_open = posc(a, mine, "2026-04-20")
    wait_for(a, my_app, status="decided")
    wait_for(a, their_app, status="decided")
    wait_for(a, my_open, status="open")

    # Tenant B: none of A's rows through any route, and A's ids are not found.
    b = stack.client(tenants[1])
    b_org = practice(b)
    b_app = posc(b, b_org, "2026-04-01", "2026-04-06")
    wait_for(b, b_app, status="decided")
    assert ids(b) == [b_app]
    assert ids(b, organization_id=[mine]) == []
    assert [(r["count"], r["provider_type"]) for r in items(b, "metrics")] == [(1, "physician group")]
    assert items(b, "metrics", provider_type="pediatric group") == []
    assert items(b, "aging", as_of="2026-04-24") == []
    for app in (my_app, their_app, my_open):
        assert_problem(b.get(f"{VIEW}/applications/{app}"), 404, "not-found")
    assert turnaround(a, b_app) is None
    assert len(items(a, "aging", as_of="2026-04-24")) == 1

    # A client viewer of A: only its organization's applications, metrics over them only, and its aging.
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[mine])
    assert sorted(ids(viewer)) == sorted([my_app, my_open])
    assert ids(viewer, organization_id=[theirs]) == []
    assert_problem(viewer.get(f"{VIEW}/applications/{their_app}"), 404, "not-found")
    assert turnaround(viewer, my_app)["business_days"] == 5  # type: ignore[index]
    assert [(r["count"], r["provider_type"]) for r in items(viewer, "metrics")] == [(1, "physician group")]
    assert [(r["count"], r["median_business_days"]) for r in items(viewer, "metrics", pooled="true")] == [(1, 5.0)]
    assert [(r["count"], r["median_business_days"]) for r in items(b, "metrics", pooled="true")] == [(1, 3.0)]
    assert items(viewer, "metrics", organization_id=[theirs]) == []
    assert [(r["count"], r["median_business_days"]) for r in items(a, "metrics", organization_id=[theirs])] == [
        (1, 9.0)
    ]
    (aging,) = items(viewer, "aging", as_of="2026-04-24")
    assert aging["open"] == 1
    assert items(viewer, "aging", as_of="2026-04-24", organization_id=[theirs]) == []


def test_an_application_as_of_a_past_day_is_as_it_stood_at_that_days_end(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    app = posc(client, org, "2026-04-01")  # a Wednesday
    deficiency(client, app, "2026-04-06", "2026-04-10")
    decide(client, app, "2026-04-24")
    later = helpers.open_application(client, org, "posc_registration", opened_on="2026-05-01")
    wait_for(client, app, status="decided")
    wait_for(client, later, status="preparing")

    def stood(day: str) -> tuple[Any, ...]:
        row = turnaround(client, app, as_of=day)
        assert row is not None and row["counted_to"] in (day, row["decided_on"], None)
        return tuple(row[k] for k in ("status", "waiting_on", "business_days", "client_days", "breached"))

    def due(day: str) -> tuple[Any, ...]:
        row = turnaround(client, app, as_of=day)
        assert row is not None
        return tuple(row[k] for k in ("due_on", "answer_due_on", "next_due_on", "late"))

    assert stood("2026-03-31") == ("preparing", None, None, 0, None)  # opened in 2025, not submitted yet
    assert due("2026-03-31") == (None, None, None, None)
    assert stood("2026-04-01") == ("open", "payer", 0, 0, False)
    # Due 7 business days after Wed 04-01 (the seeds' "within seven business days"): 2, 3, 6-10 -> Fri 04-10.
    assert due("2026-04-01") == ("2026-04-10", None, "2026-04-10", False)
    # To Wed 04-08: Thu 2, Fri 3, Mon 6, Tue 7, Wed 8 = 5; the deficiency noticed Mon 04-06 is the client's 7, 8.
    assert stood("2026-04-08") == ("open", "client", 5, 2, False)
    # The payer's due date moves out by the client's 2 days (Tue 04-14); the client's answer is due 10 business
    # days (the firm's default) after the notice: 7-10, 13-17, [Patriots' Day], 21 -> Tue 04-21.
    assert due("2026-04-08") == ("2026-04-14", "2026-04-21", "2026-04-21", False)
    # To Mon 04-13: 8, of which the client's 7 to 10 (resolved Fri 04-10) = 4, the payer's 4: within 7.
    assert stood("2026-04-13") == ("open", "payer", 8, 4, False)
    assert due("2026-04-13") == ("2026-04-16", None, "2026-04-16", False)  # 7 + 4 after 04-01
    # To Fri 04-17: 12, the payer's 8 over 7, and its due date (Thu 04-16) passed.
    assert stood("2026-04-17") == ("open", "payer", 12, 4, True)
    assert due("2026-04-17") == ("2026-04-16", None, "2026-04-16", True)
    # Decided Fri 04-24: + 20-24 less Patriots' Day = 16, the payer's 12: on that day and every day after.
    assert stood("2026-04-24") == stood("2026-06-30") == ("decided", None, 16, 4, True)
    assert due("2026-04-24") == ("2026-04-16", None, None, None)
    assert ids(client, as_of="2026-04-08", waiting_on="client") == [app]
    assert ids(client, as_of="2026-04-13", waiting_on="client") == []
    assert ids(client, as_of="2026-04-13", status="open") == [app]
    # What is due by a day, and what is late.
    assert ids(client, as_of="2026-04-13", due_by="2026-04-16") == [app]
    assert ids(client, as_of="2026-04-13", due_by="2026-04-15") == []
    assert ids(client, as_of="2026-04-17", late="true") == [app]
    assert ids(client, as_of="2026-04-13", late="true") == []
    assert ids(client, as_of="2026-04-13", late="false") == [app]
    assert ids(client, as_of="2026-04-13", sort="next_due_on")[0] == app  # the one with a due date first
    aging = {day: items(client, "aging", as_of=day) for day in ("2026-04-13", "2026-04-17", "2026-04-24")}
    assert [(i["open"], i["breached"], i["late"], i["due_soon"]) for i in aging["2026-04-13"]] == [(1, 0, 0, 1)]
    assert [(i["open"], i["breached"], i["late"], i["due_soon"]) for i in aging["2026-04-17"]] == [(1, 1, 1, 0)]
    assert aging["2026-04-24"] == []
    assert_problem(client.get(f"{VIEW}/applications", params={"due_by": "2040-01-02"}), 400, "invalid-request")

    # The firm's own answer days: 3 business days after the notice (7, 8, 9).
    assert client.put("/v1/settings", json={"deficiency_answer_days": 3}).status_code == 200
    assert due("2026-04-08")[1] == "2026-04-09"
    assert client.get("/v1/settings").json()["deficiency_answer_days"] == 3
    assert_problem(client.put("/v1/settings", json={"deficiency_answer_days": 0}), 400, "invalid-request")

    # Opened on 05-01: not an application yet on 04-30, in no list nor aging, and not found that day.
    assert ids(client, as_of="2026-04-30") == [app]
    assert turnaround(client, later, as_of="2026-04-30") is None
    assert turnaround(client, later, as_of="2026-05-01")["status"] == "preparing"  # type: ignore[index]
    # Another tenant, as of any day: none of it.
    other = stack.client(tenants[1])
    assert other.get("/v1/settings").json()["deficiency_answer_days"] == 10
    assert ids(other, as_of="2026-04-13") == [] and items(other, "aging", as_of="2026-04-13") == []
    assert turnaround(other, app, as_of="2026-04-13") is None


def test_a_mailed_forms_clock_starts_when_the_payer_receives_it(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    refused = client.post(
        "/v1/applications", json={"organization_id": org, "kind": "posc_registration", "channel": "portal"}
    )
    assert_problem(refused, 422, "form-by-fax-or-mail")
    app = open_application(client, org, "posc_registration", channel="mail")
    post(client, f"/v1/applications/{app}/submit", {"submitted_on": "2026-04-01"})  # mailed on a Wednesday
    post(client, f"/v1/applications/{app}/receipt", {"received_on": "2026-04-06"})  # delivered Monday
    decide(client, app, "2026-04-15")
    wait_for(client, app, status="decided")

    def stood(day: str) -> tuple[Any, ...]:
        row = turnaround(client, app, as_of=day)
        assert row is not None
        keys = ("received_on", "receipt_pending", "business_days", "transit_days", "payer_days", "due_on", "breached")
        return tuple(row[k] for k in keys)

    # In the mail: its clock counted from the mailing until the delivery is known (7 after 04-01: Fri 04-10).
    assert stood("2026-04-03") == (None, True, 2, 0, 2, "2026-04-10", False)
    # Received Mon 04-06: Thu 2, Fri 3, Mon 6 in the mail; due 7 business days after the receipt, Wed 04-15.
    assert stood("2026-04-08") == ("2026-04-06", False, 5, 3, 2, "2026-04-15", False)
    # Decided Wed 04-15: 10 business days after the mailing, 7 on the payer's clock: within the target.
    assert stood("2026-04-15") == ("2026-04-06", None, 10, 3, 7, "2026-04-15", False)  # decided: nothing pending
    assert [m["breaches"] for m in items(client, "metrics", **{"from": "2026-04", "to": "2026-04"})] == [0]
    # Its receipt known when it was mailed: as of a day before the receipt it is still in the mail all the same.
    known = open_application(client, org, "posc_registration", channel="mail")
    post(client, f"/v1/applications/{known}/submit", {"submitted_on": "2026-04-01", "received_on": "2026-04-06"})
    wait_for(client, known, status="open")
    for day, expected in (
        ("2026-04-03", (None, True, 2, 0, 2, "2026-04-10", False)),
        ("2026-04-08", ("2026-04-06", False, 5, 3, 2, "2026-04-15", False)),
    ):
        row = turnaround(client, known, as_of=day)
        assert row is not None
        keys = ("received_on", "receipt_pending", "business_days", "transit_days", "payer_days", "due_on", "breached")
        assert tuple(row[k] for k in keys) == expected, day
    # A fax is received the day it is sent; its receipt is not confirmed again.
    fax = posc(client, org, "2026-04-01")
    assert_problem(
        client.post(f"/v1/applications/{fax}/receipt", json={"received_on": "2026-04-02"}), 422, "receipt-known"
    )
    assert wait_for(client, fax, status="open")["received_on"] == "2026-04-01"
    # Another tenant can not confirm it, nor learn it exists.
    other = stack.client(tenants[1])
    assert_problem(other.post(f"/v1/applications/{app}/receipt", json={"received_on": "2026-04-06"}), 404, "not-found")
