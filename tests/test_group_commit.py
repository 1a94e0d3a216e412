"""Group commit (services/store/group_commit.py, services/store/recorder.py): concurrent saves share one
transaction of the store, and nothing of what one transaction per save guaranteed is lost: each save is
stored whole or not at all, a version taken (stored, or by an earlier save of the same batch) is a conflict,
an Idempotency-Key is used once, notification ids follow the order of the batch, each tenant's hash chain
stays whole, and one save's bad data fails that save alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent

from services.app import Credledger
from services.composition import open_credledger
from services.migrate import migrate
from services.store.group_commit import GroupCommit, Request
from services.store.recorder import IdempotencyRecord, KeyAlreadyUsed, TenantRecorder
from tests.support import MASTER_KEY, Infra, eventually

pytestmark = pytest.mark.timeout(120)
TOPIC = "domain.organization:Organization.Registered"


# --- the queue alone ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 16])
def test_every_caller_gets_its_own_outcome_and_waiting_callers_are_batched(threads: int) -> None:
    batches: list[list[int]] = []

    def write(batch: list[Request]) -> None:
        batches.append([r.result for r in batch])  # result holds the caller's number until written
        if threads > 1 and len(batches) == 1:
            # The first commit lasts until others have queued behind it (what a slow flush does), so the
            # next batch has company whatever the scheduler does.
            eventually(lambda: commit.queued >= 2, timeout=30, interval=0.001)
        for request in batch:
            if request.result % 7 == 0:
                request.error, request.result = ValueError(request.result), None
            else:
                request.result = -request.result

    commit: GroupCommit[Request] = GroupCommit(write)

    def call(n: int) -> Any:
        try:
            return commit.submit(Request(result=n))
        except ValueError as error:
            return error

    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(call, range(1, 401)))
    for n, outcome in enumerate(outcomes, start=1):
        assert (isinstance(outcome, ValueError) and outcome.args == (n,)) if n % 7 == 0 else outcome == -n
    assert sorted(n for batch in batches for n in batch) == list(range(1, 401))  # each written once
    if threads == 1:
        assert all(len(batch) == 1 for batch in batches)  # a lone caller never waits for company
    else:
        assert max(len(batch) for batch in batches) > 1


def test_a_write_that_raises_fails_its_batch_and_the_next_caller_still_leads() -> None:
    calls = 0

    def write(batch: list[Request]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the store went away")
        for request in batch:
            request.result = "stored"

    commit: GroupCommit[Request] = GroupCommit(write)
    with pytest.raises(RuntimeError, match="went away"):
        commit.submit(Request())
    assert commit.submit(Request()) == "stored"


# --- against PostgreSQL ---------------------------------------------------------------------------------------


@pytest.fixture
def app(infra: Infra) -> Iterator[Credledger]:
    database_url = infra.new_database()
    migrate(database_url)
    app = open_credledger(database_url, MASTER_KEY, pool_size=4)
    yield app
    app.close()


def recorder(app: Credledger) -> TenantRecorder:
    return app.recorder  # type: ignore[return-value]


def sql(app: Credledger, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(app.env["CREDLEDGER_DATABASE_URL"]) as con:
        return con.execute(query, params).fetchall()


def event(originator: UUID, version: int = 1, topic: str = TOPIC) -> StoredEvent:
    return StoredEvent(originator, version, topic, b'{"n": %d}' % version)


def save(app: Credledger, *events: StoredEvent, tenant: str = "gc-a", **kwargs: Any) -> Any:
    return recorder(app).insert_events(list(events), tenant_id=tenant, actor_role="specialist", **kwargs)


def chain_is_whole(app: Credledger) -> bool:
    """Each tenant's links follow one another from the genesis and cover the events as stored."""
    [(broken, chained, stored)] = sql(
        app,
        "SELECT count(*) FILTER (WHERE prev IS DISTINCT FROM coalesce(before, %s) OR link IS DISTINCT FROM "
        "event_chain_link(prev, tenant_id, notification_id, originator_id, originator_version, topic, state, "
        "actor_role)), count(link), count(*) FROM (SELECT e.*, c.prev, c.link, "
        "lag(c.link) OVER (PARTITION BY e.tenant_id ORDER BY e.notification_id) AS before "
        "FROM credledger_events e LEFT JOIN event_chain c USING (notification_id)) chained",
        bytes(32),
    )
    return broken == 0 and chained == stored


def test_concurrent_saves_commit_together_in_order_with_whole_chains(app: Credledger) -> None:
    def writer(n: int) -> list[tuple[UUID, int, list[int]]]:
        saved = []
        for i in range(15):
            first, second = uuid4(), uuid4()
            ids = save(app, event(first), event(second), tenant=("gc-a", "gc-b")[(n + i) % 2])
            saved.append((first, second, list(ids)))
        return saved

    with ThreadPoolExecutor(24) as pool:
        saved = [s for part in pool.map(writer, range(24)) for s in part]
    rows = sql(app, "SELECT originator_id, notification_id, xmin::text FROM credledger_events")
    stored = {originator: nid for originator, nid, _ in rows}
    for first, second, ids in saved:
        assert ids == [stored[first], stored[second]]  # each save told its own events' positions
        assert ids[1] == ids[0] + 1  # a save's events stand together, in its order
    assert len(rows) == 2 * 24 * 15
    transactions = {xmin for _, _, xmin in rows}
    assert len(transactions) < 24 * 15, "concurrent saves were never committed together"
    assert chain_is_whole(app)


def test_a_version_taken_in_the_same_batch_or_before_is_a_conflict(app: Credledger) -> None:
    aggregate = uuid4()
    save(app, event(aggregate, 1))
    barrier = threading.Barrier(12)

    def second_version(_: int) -> str:
        barrier.wait()
        try:
            save(app, event(aggregate, 2))
        except IntegrityError:
            return "conflict"
        return "stored"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(second_version, range(12)))
    assert outcomes.count("stored") == 1 and outcomes.count("conflict") == 11
    assert [v for (v,) in sql(app, "SELECT originator_version FROM credledger_events ORDER BY 1")] == [1, 2]
    # A save conflicting in one of its events stores none of them.
    untouched = uuid4()
    with pytest.raises(IntegrityError):
        save(app, event(untouched), event(aggregate, 2))
    assert sql(app, "SELECT count(*) FROM credledger_events WHERE originator_id = %s", untouched) == [(0,)]
    assert chain_is_whole(app)


def test_an_idempotency_key_is_used_once_even_within_a_batch(app: Credledger) -> None:
    record = IdempotencyRecord("retry-1", "fp", [])
    barrier = threading.Barrier(8)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            save(app, event(uuid4()), idempotency=record)
        except KeyAlreadyUsed:
            return "used"
        return "stored"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count("stored") == 1 and outcomes.count("used") == 7
    assert sql(app, "SELECT count(*) FROM credledger_events") == [(1,)]
    # Keys belong to their tenant.
    save(app, event(uuid4()), tenant="gc-b", idempotency=record)
    assert sql(app, "SELECT count(*) FROM credledger_events") == [(2,)]


def test_one_saves_bad_data_fails_that_save_alone(app: Credledger, infra: Infra) -> None:
    """Queue saves behind a held table lock so they form one batch; one of them cannot be stored (a NUL in
    text): it alone fails, the rest of its batch is stored."""
    holder = psycopg.connect(app.env["CREDLEDGER_DATABASE_URL"])
    holder.execute("LOCK TABLE credledger_events IN EXCLUSIVE MODE")
    outcomes: dict[int, Any] = {}

    def attempt(n: int) -> None:
        topic = "bad\x00topic" if n == 5 else TOPIC
        try:
            outcomes[n] = save(app, event(uuid4(), topic=topic))
        except PersistenceError as error:
            outcomes[n] = error

    leader = threading.Thread(target=attempt, args=(0,))
    leader.start()
    eventually(lambda: waiting_for_the_store_lock(holder) == 1)  # the leader took its batch and waits
    others = [threading.Thread(target=attempt, args=(n,)) for n in range(1, 10)]
    for thread in others:
        thread.start()
    eventually(lambda: recorder(app)._group_commit.queued == 9)  # queued behind the leader: the next batch
    holder.rollback()
    holder.close()
    for thread in (leader, *others):
        thread.join(timeout=30)
    assert isinstance(outcomes.pop(5), PersistenceError)
    assert all(isinstance(ids, list) and len(ids) == 1 for ids in outcomes.values()), outcomes
    assert sql(app, "SELECT count(*) FROM credledger_events") == [(9,)]
    assert chain_is_whole(app)


def waiting_for_the_store_lock(holder: psycopg.Connection) -> int:
    """Sessions other than the holder's waiting for a lock on the events table."""
    with psycopg.connect(holder.info.dsn, autocommit=True) as con:
        return con.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'credledger_events'::regclass"
        ).fetchone()[0]  # type: ignore[index]


def test_a_save_without_a_tenant_is_refused_and_stores_nothing(app: Credledger) -> None:
    with pytest.raises(ValueError, match="tenant"):
        recorder(app).insert_events([event(uuid4())])
    assert sql(app, "SELECT count(*) FROM credledger_events") == [(0,)]


def test_the_conflict_check_stays_an_index_lookup_as_the_store_grows(infra: Infra) -> None:
    """The version check runs under the store's table lock, so its cost is every writer's wait. The writers'
    EXCLUSIVE lock also keeps autovacuum from ever analyzing the table, so a plan cached while the store was
    small (a scan of the whole table) would stay, and each save would read every stored event. Measured:
    75 ms per batch at 500,000 events, and loading slowed from ~950 to ~190 events/s."""
    database_url = infra.new_database()
    migrate(database_url)
    app = open_credledger(database_url, MASTER_KEY, pool_size=1)  # one session: its plans
    try:
        for _ in range(12):  # past psycopg's and PostgreSQL's thresholds for a prepared, then generic plan
            save(app, event(uuid4()), event(uuid4()))
        # The store grows past the plan's assumptions, as in months of use (rows written directly: the
        # check only looks at keys).
        sql(
            app,
            "INSERT INTO credledger_events (originator_id, originator_version, topic, state, tenant_id) "
            "SELECT gen_random_uuid(), 1, %s, '\\x7b7d', 'gc-filler' FROM generate_series(1, 60000) RETURNING 1",
            TOPIC,
        )
        scans_before = _sequential_scans(app)
        for _ in range(6):
            save(app, event(uuid4()), event(uuid4()))
        assert _sequential_scans(app) == scans_before
    finally:
        app.close()


def _sequential_scans(app: Credledger) -> int:
    """Sequential scans of the store so far, counted after the recorder's own session reported its own."""
    with recorder(app).datastore.get_connection() as conn:  # type: ignore[attr-defined]
        conn.execute("SELECT pg_stat_force_next_flush()")
    with recorder(app).datastore.get_connection() as conn:  # type: ignore[attr-defined]
        conn.execute("SELECT 1")  # the flush happens at the end of the statement's transaction
    [(scans,)] = sql(app, "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'credledger_events'")
    return scans
