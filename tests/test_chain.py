"""Tamper evidence: each tenant's events are hash-chained as they are stored, and `credledger verify`
walks the chains. Altering, deleting, reordering or slipping in one stored event makes it exit 1 and
name that event; the other tenant's chain is not affected; destroying a tenant's key (its PII then
reads as redacted) leaves the chain verifying."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from services.app import Actor, Credledger
from services.composition import open_credledger
from services.migrate import MIGRATIONS, migrate
from services.store.chain import GENESIS, link
from services.store.pii import REDACTED
from tests.mixed_workload import MixedWorkload
from tests.support import MASTER_KEY, Infra, with_database

pytestmark = pytest.mark.timeout(300)
A, B = "chain-a", "chain-b"


@pytest.fixture(scope="module")
def populated(infra: Infra) -> str:
    """A store with two tenants' mixed workload: the template each test copies and tampers with."""
    url = infra.new_database()
    migrate(url)
    app = open_credledger(url, MASTER_KEY)
    try:
        MixedWorkload(app, (A, B), seed=11).run(160)
    finally:
        app.close()
    return url


def copy_database(infra: Infra, source_url: str) -> str:
    name = "cl_test_" + uuid.uuid4().hex[:12]
    source = source_url.rsplit("/", 1)[1]
    with psycopg.connect(infra.admin_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    infra.created.append(name)
    return with_database(infra.admin_url, name)


@pytest.fixture
def store(infra: Infra, populated: str) -> str:
    return copy_database(infra, populated)


def cli(*args: str, database_url: str | None, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    env["CREDLEDGER_DATA_DIR"] = str(tmp / "no-running-up")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "services", *args], env=env, capture_output=True, text=True, timeout=240
    )


def sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """As the server's superuser: an attacker with database access, past row-level security."""
    with psycopg.connect(url) as con:
        cur = con.execute(query, params)
        return cur.fetchall() if cur.description else []


def events_of(url: str, tenant: str) -> list[tuple[int, uuid.UUID, int]]:
    return [
        (n, o, v)
        for n, o, v in sql(
            url,
            "SELECT notification_id, originator_id, originator_version FROM credledger_events "
            "WHERE tenant_id = %s ORDER BY notification_id",
            tenant,
        )
    ]


def assert_broken(result: subprocess.CompletedProcess[str], nid: int, originator: Any, why: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split(":", 1)[0]: line for line in result.stdout.splitlines() if ":" in line}
    assert f"BROKEN at notification {nid} (originator {originator} " in lines[A], result.stdout
    assert why in lines[A], result.stdout
    assert lines[B].startswith(f"{B}: ok,"), "tampering with one tenant's events must not affect another's chain"


def test_a_clean_store_verifies_and_both_definitions_of_the_link_agree(store: str, tmp_path: Path) -> None:
    result = cli("verify", database_url=store, tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{A}: ok, {len(events_of(store, A))} events" in result.stdout
    assert f"{B}: ok, {len(events_of(store, B))} events" in result.stdout
    assert cli("verify", "--tenant", B, database_url=store, tmp=tmp_path).returncode == 0

    # Every link: the Python definition (what the recorder writes) equals the SQL one (migration 008).
    rows = sql(
        store,
        "SELECT e.notification_id, e.tenant_id, e.originator_id, e.originator_version, e.topic, e.state, "
        "e.actor_role, c.prev, c.link, event_chain_link(c.prev, e.tenant_id, e.notification_id, e.originator_id, "
        "e.originator_version, e.topic, e.state, e.actor_role) "
        "FROM credledger_events e JOIN event_chain c USING (notification_id) ORDER BY 1",
    )
    assert len(rows) == len(sql(store, "SELECT 1 FROM credledger_events"))
    heads: dict[str, bytes] = {}
    for nid, tenant, originator, version, topic, state, role, prev, stored, in_sql in rows:
        assert bytes(prev) == heads.get(tenant, GENESIS)
        assert link(bytes(prev), tenant, nid, originator, version, topic, bytes(state), role) == bytes(stored)
        assert bytes(in_sql) == bytes(stored)
        heads[tenant] = bytes(stored)

    # A store migrated before the chain existed gets the same chain from the migration.
    chain = sql(store, "SELECT * FROM event_chain ORDER BY notification_id")
    sql(store, "DELETE FROM event_chain")
    with psycopg.connect(store) as con:
        con.execute((MIGRATIONS / "008_event_chain.sql").read_text())
    assert sql(store, "SELECT * FROM event_chain ORDER BY notification_id") == chain


@pytest.mark.parametrize(
    "column, value",
    [
        ("state", "overlay(state placing '\\x20'::bytea from 3 for 1)"),  # one byte of the stored JSON
        ("topic", "topic || 'X'"),
        ("actor_role", "'firm_admin'"),
        ("tenant_id", f"'{B}'"),  # moved to another tenant: still A's chain that breaks
    ],
)
def test_altering_one_stored_event_is_named(store: str, tmp_path: Path, column: str, value: str) -> None:
    nid, originator, _version = events_of(store, A)[len(events_of(store, A)) // 2]
    sql(store, f"UPDATE credledger_events SET {column} = {value} WHERE notification_id = %s", nid)
    assert_broken(cli("verify", database_url=store, tmp=tmp_path), nid, originator, "content changed")


def test_deleting_one_stored_event_is_named(store: str, tmp_path: Path) -> None:
    nid, originator, version = events_of(store, A)[5]
    sql(store, "DELETE FROM credledger_events WHERE notification_id = %s", nid)
    result = cli("verify", database_url=store, tmp=tmp_path)
    assert_broken(result, nid, originator, "event missing")
    assert f"v{version})" in result.stdout


def test_deleting_an_event_with_its_link_names_the_next_one(store: str, tmp_path: Path) -> None:
    events = events_of(store, A)
    nid = events[7][0]
    sql(store, "DELETE FROM credledger_events WHERE notification_id = %s", nid)
    sql(store, "DELETE FROM event_chain WHERE notification_id = %s", nid)
    following, originator, _ = events[8]
    assert_broken(cli("verify", database_url=store, tmp=tmp_path), following, originator, "event missing")


def test_swapping_two_events_positions_is_named(store: str, tmp_path: Path) -> None:
    events = events_of(store, A)
    (first, _, _), (second, originator, _) = events[3], events[9]
    # The event stored at `second` now sits at `first`, and the other way round.
    sql(store, "UPDATE credledger_events SET notification_id = -1 WHERE notification_id = %s", first)
    sql(store, "UPDATE credledger_events SET notification_id = %s WHERE notification_id = %s", first, second)
    sql(store, "UPDATE credledger_events SET notification_id = %s WHERE notification_id = -1", second)
    assert_broken(cli("verify", database_url=store, tmp=tmp_path), first, originator, "out of order")


def test_swapping_two_versions_of_an_aggregate_is_named(store: str, tmp_path: Path) -> None:
    events = events_of(store, A)
    originator = next(o for _, o, v in events if v == 2)
    first = next(n for n, o, v in events if o == originator and v == 1)
    for old, new in ((1, -1), (2, 1), (-1, 2)):
        sql(
            store,
            "UPDATE credledger_events SET originator_version = %s WHERE originator_id = %s AND originator_version = %s",
            new,
            originator,
            old,
        )
    result = cli("verify", database_url=store, tmp=tmp_path)
    assert_broken(result, first, originator, "out of order")


def test_swapping_two_events_contents_is_named(store: str, tmp_path: Path) -> None:
    events = events_of(store, A)
    first, second = events[2][0], events[6][0]
    sql(
        store,
        "UPDATE credledger_events e SET topic = o.topic, state = o.state FROM credledger_events o "
        "WHERE (e.notification_id, o.notification_id) IN ((%s, %s), (%s, %s))",
        first,
        second,
        second,
        first,
    )
    assert_broken(cli("verify", database_url=store, tmp=tmp_path), first, events[2][1], "content changed")


def test_an_event_slipped_in_past_the_recorder_is_named(store: str, tmp_path: Path) -> None:
    nid, originator, _version = events_of(store, A)[-1]
    [(new,)] = sql(
        store,
        "INSERT INTO credledger_events (originator_id, originator_version, topic, state, tenant_id, actor_role) "
        "SELECT originator_id, originator_version + 1000, topic, state, tenant_id, actor_role "
        "FROM credledger_events WHERE notification_id = %s RETURNING notification_id",
        nid,
    )
    assert_broken(cli("verify", database_url=store, tmp=tmp_path), new, originator, "link missing")


def test_concurrent_writers_keep_every_chain_whole(store: str, tmp_path: Path) -> None:
    """Four writers on three tenants at once: the store's table lock orders the links."""
    apps = [open_credledger(store, MASTER_KEY, pool_size=2) for _ in range(4)]
    errors: list[BaseException] = []

    def write(app: Credledger, seed: int) -> None:
        try:
            MixedWorkload(app, (A, B, "chain-c"), seed=seed).run(60)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(app, 100 + i)) for i, app in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=200)
    for app in apps:
        app.close()
    assert not errors, errors
    result = cli("verify", database_url=store, tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 chain(s) intact, 0 broken" in result.stdout


def test_after_a_tenants_key_is_destroyed_its_pii_is_redacted_and_the_chain_verifies(
    store: str, tmp_path: Path
) -> None:
    org = next(o for _, o, v in events_of(store, A) if v == 1 and _is_organization(store, o))
    sql(store, "UPDATE tenant_keys SET wrapped_key = NULL, destroyed_at = now() WHERE tenant_id = %s", A)
    app = open_credledger(store, MASTER_KEY)  # a fresh keyring: no key cached
    try:
        assert app.get_organization_pii(Actor(A, "dana", "firm_admin"), org, "audit").tin == REDACTED
    finally:
        app.close()
    result = cli("verify", database_url=store, tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _is_organization(url: str, originator: uuid.UUID) -> bool:
    [(topic,)] = sql(
        url, "SELECT topic FROM credledger_events WHERE originator_id = %s AND originator_version = 1", originator
    )
    return topic.endswith("Organization.Registered")


def test_exit_codes(tmp_path: Path) -> None:
    no_store = tmp_path
    assert cli("verify", database_url=None, tmp=no_store).returncode == 78  # no DATABASE_URL, no `up`
    export = ("export", "--tenant", A, "--from", "2026-04-01", "--to", "2026-04-30")
    assert cli(*export, database_url=None, tmp=no_store).returncode == 78
    assert cli("verify", str(no_store / "missing.tar"), database_url=None, tmp=no_store).returncode == 2
    for args in (
        ("export", "--tenant", A, "--from", "2026-04-31", "--to", "2026-05-01"),  # no such day
        ("export", "--tenant", A, "--from", "2026-05-02", "--to", "2026-05-01"),  # ends before it starts
        ("export", "--tenant", "a.b", "--from", "2026-05-01", "--to", "2026-05-01"),  # not a tenant id
        ("export", "--from", "2026-05-01", "--to", "2026-05-01"),  # no tenant
        ("verify", "--tenant", A, str(no_store)),  # a bundle has one tenant already
    ):
        result = cli(*args, database_url=None, tmp=no_store)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
