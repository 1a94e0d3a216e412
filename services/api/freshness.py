"""Read-your-writes for the views: wait until they include a command (its Credledger-Position)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import asyncpg
import msgspec
from litestar import get
from litestar.params import Parameter

from projections.engine.registry import projection_modules
from services.api.auth import may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs

MAX_WAIT = 30.0  # seconds: a long poll, not a held connection
# Seconds between checks while waiting: the first soon (a worker batch takes milliseconds), then less often, so
# many clients waiting on a view that is far behind do not keep the read pool busy.
FIRST_POLL, LAST_POLL = 0.01, 0.25
_VIEWS = [(module.name, list(module.aggregates)) for module in projection_modules()]


class ViewFreshness(msgspec.Struct):
    view: str
    fresh: bool


class Freshness(msgspec.Struct):
    position: int
    fresh: bool  # every view has taken in every event up to ``position``
    views: list[ViewFreshness]


async def _check(read_pool: asyncpg.Pool, position: int) -> Freshness:
    async with read_pool.acquire() as con:
        found = [
            ViewFreshness(name, await con.fetchval("SELECT view_reached($1, $2, $3)", name, kinds, position))
            for name, kinds in _VIEWS
        ]
    return Freshness(position=position, fresh=all(v.fresh for v in found), views=found)


@get(
    "/v1/views/freshness",
    operation_id="getViewFreshness",
    tags=["views"],
    guards=[may_read],
    **read_docs("Wait until the views include a command", not_found=False),
    description=(
        "Every command answers `Credledger-Position`: the store position of its last event. This answers whether "
        "each view (access audit, affiliation status, turnaround) has taken in every event up to that position, "
        "waiting up to `wait` seconds for it (a long poll: it answers as soon as all are fresh). `fresh: false` "
        "after the wait means a view is behind (see `/health/ready`); read the views again later."
    ),
)
async def view_freshness(
    read_pool: ReadPool,
    position: Annotated[
        int | None,
        Parameter(
            ge=0,
            le=2**63 - 1,
            description="a Credledger-Position header from a command's response; omitted: everything stored now",
        ),
    ] = None,
    wait: Annotated[float, Parameter(ge=0, le=MAX_WAIT, description="seconds to wait for fresh views (0-30)")] = 0,
) -> Freshness:
    deadline = asyncio.get_running_loop().time() + wait
    if position is None:
        position = await read_pool.fetchval("SELECT store_head()")
    pause = FIRST_POLL
    while True:
        found = await _check(read_pool, position)
        left = deadline - asyncio.get_running_loop().time()
        if found.fresh or left <= 0:
            return found
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 2, LAST_POLL)
