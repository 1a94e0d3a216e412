"""A rebuild's swap makes a view's recorded versions exactly the rebuild's, per tenant and under row-level
security, while it leaves alone the rows that already say so (they are most of them: the live worker has
usually applied the same events)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from projections.engine.rebuild import _REPLACE_VERSIONS
from services.migrate import migrate
from tests.support import Infra


@pytest.fixture(scope="module")
def database_url(infra: Infra) -> str:
    url = infra.new_database()
    migrate(url)
    return url


async def test_versions_become_the_rebuilds_and_only_the_differences_are_written(database_url: str) -> None:
    same, changed, gone, new, other_view, other_tenant, other_tenants_too = (uuid.uuid4() for _ in range(7))
    con = await asyncpg.connect(database_url)
    try:
        async with con.transaction():
            await con.execute("SET LOCAL ROLE credledger_worker")
            await con.execute("SELECT set_config('app.tenant_id', 'firm-b', true)")
            await con.execute(
                "INSERT INTO projection_versions VALUES ('turnaround', 'firm-b', $1, 4), "
                "('access_audit', 'firm-b', $2, 1)",
                other_tenant,
                other_tenants_too,
            )
            await con.execute("SELECT set_config('app.tenant_id', 'firm-a', true)")
            await con.execute(
                "INSERT INTO projection_versions VALUES ('turnaround', 'firm-a', $1, 3), "
                "('turnaround', 'firm-a', $2, 2), ('turnaround', 'firm-a', $3, 7), ('access_audit', 'firm-a', $4, 5)",
                same,
                changed,
                gone,
                other_view,
            )
            untouched = await con.fetchval("SELECT xmin::text FROM projection_versions WHERE originator_id = $1", same)

            await con.execute(_REPLACE_VERSIONS, "turnaround", "firm-a", [same, changed, new], [3, 5, 1])

            rows = await con.fetch("SELECT projection, originator_id, version FROM projection_versions")
            assert {(r["projection"], r["originator_id"], r["version"]) for r in rows} == {
                ("turnaround", same, 3),
                ("turnaround", changed, 5),
                ("turnaround", new, 1),
                ("access_audit", other_view, 5),  # another view's: untouched
            }
            # The row that already said so was not written again.
            assert await con.fetchval("SELECT xmin::text FROM projection_versions WHERE originator_id = $1", same) == (
                untouched
            )
            # Another tenant's rows are not this tenant's to replace.
            await con.execute("SELECT set_config('app.tenant_id', 'firm-b', true)")
            assert await con.fetchval("SELECT count(*) FROM projection_versions") == 2
    finally:
        await con.close()
