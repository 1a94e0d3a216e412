"""Onboarding with history through the API: a client's past as one batch of dated commands, checked whole and
stored in one transaction, or not at all (services/app/onboarding.py)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody, Parameter

from services.api.auth import may_write
from services.api.commands import POSITION_HEADER, call
from services.api.dependencies import Runner, Service
from services.api.openapi_docs import POSITION, REPLAYED, CreateOperation, problems
from services.app.onboarding import Batch, Imported, imported, run_batch, run_batch_once

MAX_BATCH_BYTES = 16 * 1024 * 1024  # a practice's years of history; the store writes it in one transaction


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
        20,000 commands; the command line (`credledger import`) also reads CSV."""
        batch = Batch(commands=data.commands, dry_run=data.dry_run or dry_run)
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
