"""The exclusion lists' files through the API: a firm admin uploads an OIG LEIE file or a SAM.gov extract, streamed
to a temporary file (never held in memory) and imported as an edition (services/lists/importer.py); every role
reads which editions exist. The lists are reference data every firm screens against, not a firm's records."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import Parameter
from msgspec import Meta

from domain.business_time import business_today, check_effective_day
from domain.exclusion_lists import COLUMNS
from services.api.auth import Principal, may_import_lists, may_read, may_write
from services.api.commands import call
from services.api.openapi_docs import LOCATION, problems, read_docs
from services.lists import importer
from services.lists.screening import edition_ref, rescreen

MAX_LIST_BYTES = 256 * 1024 * 1024  # SAM's full extract is about 40 MB, the LEIE's about 15 MB
_LAYOUTS = "; ".join(f"{layout.value}: {', '.join(columns)}" for layout, columns in COLUMNS.items())


@dataclass(frozen=True)
class ListImports:
    """What the import needs that a read does not: the store owner's connection, the dates-of-birth key."""

    database_url: str | None
    key: bytes


class ExclusionListEdition(msgspec.Struct, kw_only=True):
    edition_id: UUID
    source: Annotated[str, Meta(description="oig_leie or sam")]
    layout: Annotated[str, Meta(description="leie, sam_v2 or sam_v1: detected from the file's header")]
    file_date: Annotated[date, Meta(description="The publisher's date of the file")]
    file_name: str
    sha256: Annotated[str, Meta(description="The file's SHA-256: the same file twice is this one edition")]
    row_count: int
    imported_at: datetime
    imported_by: Annotated[
        str, Meta(description='"cli", the caller\'s firm and the user that uploaded it, or "another firm"')
    ]
    created: Annotated[bool, Meta(description="false: this file was imported before; nothing was stored now")]


class ExclusionListEditions(msgspec.Struct):
    items: list[ExclusionListEdition]


class ScreeningRun(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A re-screening of the firm against an edition."""

    on: Annotated[
        date | None,
        Meta(
            description="The day of the screening, YYYY-MM-DD (Massachusetts; default: today)", examples=["2026-12-01"]
        ),
    ] = None


class ScreeningTotals(msgspec.Struct, kw_only=True):
    practices: int
    clinicians: int
    subjects: Annotated[int, Meta(description="Practices, their disclosed owners and managing employees, clinicians")]
    results: Annotated[dict[str, int], Meta(description="How many subjects had each result")]
    recorded: Annotated[
        int,
        Meta(
            description="Screenings recorded: only where a result changed, or an unchanged one once half the firm's "
            "screening_interval_days has passed since the last"
        ),
    ]
    refused: Annotated[list[str], Meta(description='Records a rule refused: "<firm> <id>: <rule>"; the rest ran')]


def _edition(e: importer.Edition, tenant_id: str) -> ExclusionListEdition:
    """An edition as a firm sees it: who uploaded it only if the firm did (another firm's users are not shown)."""
    fields = {f: getattr(e, f) for f in ExclusionListEdition.__struct_fields__}
    if e.imported_by != "cli" and not e.imported_by.startswith(f"{tenant_id}/"):
        fields["imported_by"] = "another firm"
    return ExclusionListEdition(**fields)


@dataclass
class ListUploadOperation(Operation):
    """The upload's body is a file the handler streams, so it is declared here."""

    def __post_init__(self) -> None:
        about = f"The list's CSV file as published. Layouts: {_LAYOUTS}"
        csv_file = Schema(type=OpenAPIType.STRING, description=about)
        self.request_body = RequestBody(content={"text/csv": OpenAPIMediaType(schema=csv_file)}, required=True)


class ExclusionListController(Controller):
    path = "/v1/exclusion-lists"
    tags = ("exclusion lists",)

    @post(
        operation_id="importExclusionList",
        guards=[may_import_lists],
        status_code=201,
        request_max_body_size=MAX_LIST_BYTES,
        summary="Import an exclusion list file (OIG LEIE, SAM.gov)",
        opt={"body_media_type": "text/csv", "streamed_body": True},  # services/api/edges.py
        response_headers=[LOCATION],
        operation_class=ListUploadOperation,
        responses={
            200: ResponseSpec(
                data_container=ExclusionListEdition,
                description="The same file was imported before: its edition (created false); nothing was stored.",
            ),
            **problems(400, 401, 403, 413, 415, 422, 503),
        },
    )
    async def import_list(
        self,
        request: Request,
        file_date: Annotated[
            date | None, Parameter(description="The publisher's date of the file, YYYY-MM-DD (default: today)")
        ] = None,
        file_name: Annotated[
            str, Parameter(description="The file's name as published, e.g. UPDATED.csv", max_length=200)
        ] = "upload.csv",
    ) -> Response[ExclusionListEdition]:
        """Imports the OIG LEIE (UPDATED.csv, or a monthly supplement) or the SAM.gov Exclusions public extract (V2,
        or the older V1 with DUNS) as an edition shared by every firm: the layout is detected from the header (an
        unknown one answers 422 naming the columns each layout has); each row is checked, and a malformed one
        answers 422 naming its line, with nothing stored. The same file again answers 200 with its edition and
        stores nothing; a new one 201. Up to 256 MiB, streamed. Firm admins only."""
        lists: ListImports = request.app.state.lists
        with tempfile.TemporaryDirectory(prefix="credledger-list-") as folder:
            path = Path(folder) / "list.csv"
            await _receive(request, path)
            con = await asyncpg.connect(lists.database_url)
            try:
                edition = await importer.import_list(
                    con,
                    path,
                    file_date=file_date or business_today(),
                    file_name=file_name,
                    imported_by=f"{request.user.tenant_id}/{request.user.user_id}",
                    key=lists.key,
                )
            finally:
                await con.close()
        headers = {"Location": f"/v1/exclusion-lists/{edition.edition_id}"}
        edited = _edition(edition, request.user.tenant_id)
        return Response(edited, status_code=201 if edition.created else 200, headers=headers)

    @post(
        "/{edition_id:uuid}/screenings",
        operation_id="screenFirmAgainstExclusionList",
        guards=[may_write],
        status_code=200,
        summary="Screen the firm against an exclusion list edition",
        responses=problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def screen(self, request: Request, edition_id: UUID, data: ScreeningRun) -> ScreeningTotals:
        """Screens every practice of the caller's firm, the owners and managing employees each disclosed, and every
        clinician against the edition (as `credledger lists screen --tenant` does): an NPI on the list is a confirmed
        match, a name with an agreeing date of birth or state a suspected one (a review task in the work queue). A
        result is recorded on its record, naming the edition, only where it changed or half the firm's
        `screening_interval_days` (PUT /v1/settings; 31 unless set) has passed since the last screening of that list;
        a record a rule refuses is named in `refused` and the others run."""
        lists: ListImports = request.app.state.lists
        edition = await call(edition_ref, lists.database_url, edition_id)
        if edition is None:
            raise NotFoundException(f"No exclusion list edition {edition_id}.")
        principal: Principal = request.user
        on = data.on or business_today()
        check_effective_day(on, "screening")
        credledger = request.app.state.credledger
        firm, user = principal.tenant_id, principal.user_id  # the run is the caller's: recorded as theirs
        totals = await call(rescreen, credledger, lists.database_url, edition, on, lists.key, firm, user=user)
        return ScreeningTotals(
            practices=totals.organizations,
            clinicians=totals.practitioners,
            subjects=totals.subjects,
            results={str(k): v for k, v in totals.results.items()},
            recorded=totals.recorded,
            refused=totals.refused,
        )

    @get(
        operation_id="listExclusionListEditions",
        guards=[may_read],
        **read_docs("List the exclusion list editions", not_found=False),
    )
    async def editions(self, request: Request) -> ExclusionListEditions:
        """The editions imported, newest file first (up to 100): each with its source, layout, file date, row count
        and SHA-256."""
        async with request.app.state.read_pool.acquire() as con:
            firm = request.user.tenant_id
            return ExclusionListEditions(items=[_edition(e, firm) for e in await importer.editions(con)])

    @get(
        "/{edition_id:uuid}",
        operation_id="getExclusionListEdition",
        guards=[may_read],
        **read_docs("Get an exclusion list edition"),
    )
    async def edition(self, request: Request, edition_id: UUID) -> ExclusionListEdition:
        """One edition: its source, layout, file date, row count and SHA-256."""
        async with request.app.state.read_pool.acquire() as con:
            row = await con.fetchrow("SELECT * FROM exclusion_list_editions WHERE edition_id = $1", edition_id)
        if row is None:
            raise NotFoundException(f"No exclusion list edition {edition_id}.")
        return _edition(importer.Edition(**dict(row), created=False), request.user.tenant_id)


async def _receive(request: Request, path: Path) -> None:
    """The body to a file, chunk by chunk; more than MAX_LIST_BYTES is a 413 (nothing stored)."""
    size = 0
    with path.open("wb") as file:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_LIST_BYTES:
                raise HTTPException(status_code=413, detail=f"The file is larger than {MAX_LIST_BYTES >> 20} MiB.")
            file.write(chunk)
