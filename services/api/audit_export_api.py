"""Audit export for auditors: ``GET /v1/exports?from=YYYY-MM-DD&to=YYYY-MM-DD`` answers with the
token's tenant's audit bundle (services/audit/export.py), a tar file the auditor checks offline
with `credledger verify BUNDLE`. Firm admins and auditors only.

The bundle is built for the request (the views are rebuilt as of the last day), into a temporary
folder removed once the response is sent (services/api/downloads.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from litestar import Request, Response, get
from litestar.params import QueryParameter

from services.api.auth import Role, _require
from services.api.dependencies import Service
from services.api.downloads import written_file
from services.api.openapi_docs import read_docs
from services.api.paging import invalid
from services.api.problems import problem
from services.audit.export import ExportError, export_bundle, range_problem

may_export = _require(frozenset({Role.FIRM_ADMIN, Role.AUDITOR}), "export the audit record")
MEDIA_TYPE = "application/x-tar"


@get(
    "/v1/exports",
    operation_id="exportAuditBundle",
    guards=[may_export],
    tags=["compliance"],
    media_type=MEDIA_TYPE,
    response_description="The audit bundle, a tar file to check offline with `credledger verify BUNDLE`.",
    **read_docs("Export the audit bundle for a range of days", not_found=False, codes=(500,)),
)
async def export_audit_bundle(
    request: Request,
    credledger: Service,
    first_day: Annotated[date, QueryParameter(name="from", description="first day (Massachusetts), YYYY-MM-DD")],
    last_day: Annotated[date, QueryParameter(name="to", description="last day (Massachusetts, inclusive), YYYY-MM-DD")],
) -> Response:
    """The firm's events over a range of days (as JSON lines with their hash-chain links), its three views as of
    the end of the last day, and a manifest with counts, hashes and the chain's head. Firm admins and auditors."""
    wrong = range_problem(first_day, last_day)
    if wrong is not None:
        raise invalid("to", wrong, f"Cannot export: {wrong}.")
    tenant = request.user.tenant_id
    # The store and the snapshot schemas need the owning role, which the application service holds.
    database_url = credledger.env.get("CREDLEDGER_DATABASE_URL")
    name = f"credledger-audit-{tenant}-{first_day}-{last_day}.tar"

    async def write(out: Path) -> None:
        await export_bundle(database_url, tenant=tenant, first_day=first_day, last_day=last_day, out=out)

    try:
        return await written_file(name, MEDIA_TYPE, write)
    except ExportError as error:
        return problem(request, 500, "chain-broken", "The event store's hash chain is broken", str(error))
