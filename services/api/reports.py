"""Downloadable reports: ``GET /v1/reports/<report>?format=csv|xlsx`` answers a view's every row as a file, with
the same filters as the view's list route (the same dependency builds them: services/api/<view>_view.py) and no
paging: a firm's report, or with ``organization_id=`` one client's. CSV is streamed while the view is read; XLSX is
complete before it is sent (services/api/report_files.py). Whoever may read the views may download them (a client
viewer: its own practices only); the views hold no personal data (TIN, SSN, date of birth, PIN, bank account), and
neither do the reports.

Every report is one route of the same shape: its report (services/api/report_rows.py), read as a dependency from
the request's parameters, written in the format asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from services.api import report_rows
from services.api.access_audit_view import AUDIT_FILTERS
from services.api.affiliation_view import AFFILIATION_FILTERS
from services.api.auth import may_read
from services.api.dependencies import ReadPool
from services.api.expirables_view import EXPIRABLE_FILTERS
from services.api.openapi_docs import download_docs
from services.api.paging import SnapshotParameter
from services.api.report_files import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, ReportFormat, download
from services.api.report_rows import Reading, Report
from services.api.turnaround_view import APPLICATION_FILTERS

FormatParameter = Annotated[
    ReportFormat,
    QueryParameter(
        name="format",
        description="csv (the default: RFC 4180, a header row, UTF-8, streamed) or xlsx (one sheet, an Excel workbook)",
    ),
]
_MEDIA_TYPES = (CSV_MEDIA_TYPE.split(";")[0], XLSX_MEDIA_TYPE)
_ANSWER = (
    "The report as an attachment: CSV or XLSX as `format` asks, its header row first; days are Massachusetts "
    "business days (YYYY-MM-DD). A cell a spreadsheet would read as a formula (starting with =, +, -, @, a tab or "
    "a carriage return) starts with an apostrophe."
)


def _reading(request: Request, read_pool: ReadPool, snapshot: SnapshotParameter = None) -> Reading:
    """The caller's views, live or (``snapshot``) as a replay left them: what every report reads."""
    return Reading(read_pool, request.user, snapshot)


async def _download(report: NamedDependency[Report], report_format: FormatParameter = ReportFormat.CSV) -> Response:
    return await download(report, report_format)


def _report_route(
    name: str,
    operation_id: str,
    summary: str,
    build: Callable[..., Awaitable[Report]],
    filters: dict[str, Any],
    description: str,
) -> HTTPRouteHandler:
    return get(
        f"/v1/reports/{name}",
        operation_id=operation_id,
        guards=[may_read],
        tags=["reports"],
        description=" ".join(description.split()),
        dependencies={"reading": Provide(_reading, sync_to_thread=False), "report": Provide(build), **filters},
        **download_docs(summary, _MEDIA_TYPES, _ANSWER),
    )(_download)


REPORT_ROUTES = [
    _report_route(
        "affiliation-status",
        "downloadAffiliationStatusReport",
        "Download the affiliation-status report",
        report_rows.affiliation_status,
        AFFILIATION_FILTERS,
        """One line per client practice: its POSC registration, MassHealth enrollment, provider number,
        sole-enrollment risk and count of open NPPES mismatches, then a column per ACO, MCO or PCC plan with its
        affiliation's state. The filters of `GET /v1/views/affiliation-status`, every row.""",
    ),
    _report_route(
        "open-applications",
        "downloadOpenApplicationsReport",
        "Download the open applications with their due dates",
        report_rows.open_applications,
        APPLICATION_FILTERS,
        """The applications open (submitted, undecided) at the end of the day, next due first: kind, plan,
        practice, submission, business days, whom it waits on, the payer's due date, what is due next, late and
        breached. The filters of `GET /v1/views/turnaround/applications?status=open`, every row.""",
    ),
    _report_route(
        "access-findings",
        "downloadAccessFindingsReport",
        "Download the access-audit findings",
        report_rows.access_findings,
        AUDIT_FILTERS,
        """One line per access-audit finding as of a day: practice, NPI, kind, severity, since, the person it
        concerns and what it means. The practices of `GET /v1/views/access-audit` with the same filters; with
        `finding` or `severity`, only the findings of those kinds or severities.""",
    ),
    _report_route(
        "expirables",
        "downloadExpirablesReport",
        "Download the expiring credentials and due dates",
        report_rows.expirable_credentials,
        EXPIRABLE_FILTERS,
        """One line per credential or due date in effect on a day (licenses, DEA, boards, malpractice, CAQH,
        documents, MassHealth revalidation, plan re-credentialing), soonest due first, with its window and
        severity. The filters of `GET /v1/views/expirables`, every row.""",
    ),
]
