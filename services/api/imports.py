"""Onboarding with history through the API: a client's past as one batch of dated commands, checked whole and
stored in one transaction, or not at all (services/app/onboarding.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated

from litestar import Controller, Request, Response, post
from litestar.openapi.spec import OpenAPIMediaType, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import JSONBody, Parameter, RawBody

from services.api.auth import may_write
from services.api.commands import POSITION_HEADER, call
from services.api.dependencies import Runner, Service
from services.api.openapi_docs import POSITION, REPLAYED, CreateOperation, problems
from services.api.paging import invalid
from services.app.onboarding import Batch, Imported, imported, parse_batch, run_batch, run_batch_once

MAX_BATCH_BYTES = 16 * 1024 * 1024  # a practice's years of history; the store writes it in one transaction


CSV_LAYOUT = (
    "A CSV file (UTF-8) with a header row: use, ref, path, body. Example row: "
    'grant_access,,@sam,"{""function"": ""claims_batch"", ""on"": ""2020-03-05""}"'
)


@dataclass
class CsvImportOperation(CreateOperation):
    """The CSV import's operation: its body is a file, which the handler reads raw, so it is declared here."""

    def __post_init__(self) -> None:
        super().__post_init__()
        csv_file = Schema(type=OpenAPIType.STRING, description=CSV_LAYOUT)
        self.request_body = RequestBody(content={"text/csv": OpenAPIMediaType(schema=csv_file)}, required=True)


class ImportController(Controller):
    path = "/v1/imports"
    tags = ("imports",)

    @post(
        operation_id="importHistory",
        guards=[may_write],
        status_code=200,
        request_max_body_size=MAX_BATCH_BYTES,
        summary="Import a client's history (onboarding)",
        response_headers=[POSITION, REPLAYED],
        operation_class=CreateOperation,  # Idempotency-Key
        responses=problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def import_history(
        self,
        request: Request,
        data: JSONBody[Batch],
        credledger: Service,
        command: Runner,
        dry_run: Annotated[bool, Parameter(description="Check the whole batch; store nothing.")] = False,
    ) -> Response[Imported]:
        """Runs a batch of commands, each as its own route's body with the day its fact happened, in the order
        they happened: a client's POSC accounts, grants and applications of past years. Each names its use case
        (the application service's method, e.g. `grant_access`), the path ids before its body, and may name what it
        creates (`ref`) for later commands to use as `"@ref"`. The whole batch is checked first: the first command
        that does not decode or that a rule refuses answers 422 naming it (`Command N: ...`), and nothing is
        stored. Otherwise every change is stored in one transaction and the answer maps each ref to its id. With
        `dry_run` (the query parameter or the body's field) nothing is stored either way. An Idempotency-Key makes
        a retry after a lost answer get the first answer (refs and all) without importing twice. Up to 16 MiB and
        20,000 commands; `POST /v1/imports/csv` and the command line (`credledger import`) also read CSV."""
        batch = Batch(commands=data.commands, dry_run=data.dry_run or dry_run)
        return await _run(request, credledger, command, batch)

    @post(
        "/csv",
        operation_id="importHistoryCsv",
        guards=[may_write],
        status_code=200,
        request_max_body_size=MAX_BATCH_BYTES,
        summary="Import a client's history from a CSV file (onboarding)",
        opt={"body_media_type": "text/csv"},  # its body is a file, not JSON (services/api/edges.py)
        response_headers=[POSITION, REPLAYED],
        operation_class=CsvImportOperation,  # Idempotency-Key, and the CSV body
        responses=problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def import_history_csv(
        self,
        request: Request,
        body: RawBody,  # the raw request body: a `data` parameter would be decoded as JSON
        credledger: Service,
        command: Runner,
        dry_run: Annotated[bool, Parameter(description="Check the whole batch; store nothing.")] = False,
    ) -> Response[Imported]:
        """The same as importHistory, from a spreadsheet's CSV export: one command per row, in the order the facts
        happened, with the columns `use`, `ref`, `path` (ids separated by spaces; `@ref` for a ref) and `body`
        (the command's JSON object). A file that is not such a CSV answers 400 naming its line."""
        try:
            batch = parse_batch(body, csv_format=True, dry_run=dry_run)
        except (ValueError, UnicodeDecodeError) as error:
            raise invalid("body", "a CSV batch", str(error)) from None
        return await _run(request, credledger, command, batch)


async def _run(request: Request, credledger: Service, command: Runner, batch: Batch) -> Response[Imported]:
    """The batch run as one (dry, or under the request's Idempotency-Key), and the answer's headers."""
    headers = {}
    if batch.dry_run:
        done = await call(run_batch, credledger, request.user.actor, batch)
    else:
        saved, replayed = await command.keyed(partial(run_batch_once, credledger, request.user.actor, batch))
        done = imported(saved)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
    if done.position is not None:
        headers[POSITION_HEADER] = str(done.position)
    return Response(done, headers=headers)
