"""The demo firm's year, loaded as `credledger up --demo` loads it (the workload generator under the demo's seed,
fewer practices): every fact carries the day it happened, so each date of the year has its own answers.

- who held POSC access on each month's last day is what the accounts' own dated events say (computed here
  independently, from the events), and it changes over the year;
- a replay as of each month's end has that month's views, and equals views built from a copy of the store holding
  only the events effective by then;
- an export of each quarter holds every event that took effect in it;
- the live access audit and turnaround as of a past day are that day's (a replay as of it answers the same).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from domain.business_time import business_today, effective_day
from domain.user_account import ReviewOutcome, UserAccount
from projections.access_audit.queries import SORTABLE, access_on, audit_of, audit_page
from projections.engine.rebuild import rebuild_views
from projections.engine.registry import projection_modules
from projections.engine.replay import drop_snapshot, replay_views
from projections.turnaround import queries as turnaround
from projections.turnaround import sql as turnaround_sql
from services.api.paging import Keyset
from services.audit.export import export_bundle
from services.composition import open_credledger
from services.demo import DEMO_MONTHS, DEMO_SEED
from services.migrate import migrate
from services.store.transcoder import EventMapper, MsgspecTranscoder
from services.workload import AppTarget, Simulation, run_plan
from tests.support import MASTER_KEY, Infra
from tests.test_audit_export import members
from tests.view_state import view_rows

pytestmark = pytest.mark.timeout(600)
TENANT = "demo"
_mapper = EventMapper(MsgspecTranscoder())
T = TypeVar("T")


@pytest.fixture(scope="module")
def demo(infra: Infra) -> Iterator[tuple[str, list[Any]]]:
    """The demo's year in a database of its own, its views built; with its decoded events in store order."""
    url = infra.new_database()
    migrate(url)
    app = open_credledger(url, MASTER_KEY)
    try:
        plan = Simulation(seed=DEMO_SEED, tenants=[TENANT], practices=6, months=DEMO_MONTHS).plan()
        summary = run_plan(plan, AppTarget(app))
        assert summary.unexpected_refusals == 0, summary.refused_rules
    finally:
        app.close()
    asyncio.run(rebuild_views(url, projection_modules()))
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT originator_id, originator_version, topic, state FROM credledger_events "
            "WHERE tenant_id = %s ORDER BY notification_id",
            (TENANT,),
        ).fetchall()
    yield url, [_mapper.to_domain_event(StoredEvent(r[0], r[1], r[2], bytes(r[3]))) for r in rows]


def _month_ends() -> list[date]:
    today = business_today()
    ends = []
    for back in range(1, DEMO_MONTHS):
        first = date(today.year, today.month, 1)
        for _ in range(back - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        ends.append(first - timedelta(days=1))
    return sorted(ends)


def _held_on(events: list[Any], day: date) -> set[tuple[UUID, str]]:
    """(account, function) pairs held on ``day`` by the accounts' own events: a grant's day through the day it
    ended (revoked, a review that revoked, a deactivation), folded by business day."""
    periods: dict[tuple[UUID, str], list[list[date | None]]] = {}
    accounts = [e for e in events if isinstance(e, UserAccount.Event)]
    for event in sorted(accounts, key=lambda e: (effective_day(e), e.originator_version)):
        on = effective_day(event)
        ended: list[tuple[UUID, str]] = []
        if isinstance(event, UserAccount.AccessGranted):
            periods.setdefault((event.originator_id, str(event.function)), []).append([on, None])
        elif isinstance(event, UserAccount.AccessRevoked):
            ended = [(event.originator_id, str(event.function))]
        elif isinstance(event, UserAccount.Deactivated) or (
            isinstance(event, UserAccount.AccessReviewed) and ReviewOutcome(event.outcome) is ReviewOutcome.REVOKED
        ):
            ended = [key for key in periods if key[0] == event.originator_id]
        for key in ended:
            if periods[key][-1][1] is None:
                periods[key][-1][1] = on
    return {
        key
        for key, spans in periods.items()
        if any(start <= day and (end is None or day <= end) for start, end in spans)  # type: ignore[operator]
    }


async def _access_on_view(url: str, organizations: list[UUID], day: date) -> set[tuple[UUID, str]]:
    con = await asyncpg.connect(url)
    try:
        held = set()
        for organization in organizations:
            found = await access_on(con, organization, day, None)
            assert found is not None
            held |= {(h.account_id, f.function) for h in found.holders for f in h.functions}
        return held
    finally:
        await con.close()


def test_who_held_access_follows_the_year(demo: tuple[str, list[Any]]) -> None:
    url, events = demo
    organizations = sorted({e.originator_id for e in events if type(e).__qualname__ == "Organization.Registered"})
    answers = []
    for day in _month_ends():
        held = asyncio.run(_access_on_view(url, organizations, day))
        assert held == _held_on(events, day), f"access held on {day}"
        answers.append(frozenset(held))
    assert answers[len(answers) // 2] and len(set(answers)) > len(answers) // 2  # held, and changing over the year
    # Access since: the day it began, spread over the year, not the day the demo was loaded.
    with psycopg.connect(url) as con:
        holding, days, loaded = con.execute(
            "SELECT count(*), count(DISTINCT access_since), count(*) FILTER (WHERE access_since = %s) "
            "FROM access_audit_accounts WHERE access_since IS NOT NULL",
            (business_today(),),
        ).fetchone()  # type: ignore[misc]
    assert holding > 10 and days > holding // 2 and loaded < holding // 4


def test_a_replay_of_each_month_equals_the_views_of_the_events_effective_by_then(
    infra: Infra, demo: tuple[str, list[Any]]
) -> None:
    url, _ = demo
    for i, day in enumerate(_month_ends()):
        name = f"demo_month_{day:%Y%m}"
        asyncio.run(replay_views(url, name=name, as_of=day, tenant=TENANT))
        try:
            replayed = view_rows(url, schema=f"snapshot_{name}")
        finally:
            asyncio.run(drop_snapshot(url, name))
        assert sum(len(rows) - 1 for rows in replayed.values()) > 0, f"views as of {day} are empty"
        if i % 4 == 1:  # a few months against a store of only the events effective by then
            assert replayed == _views_of_copy(infra, url, day), f"views as of {day}"


def _views_of_copy(infra: Infra, url: str, day: date) -> dict[str, list[Any]]:
    """The views rebuilt in a fresh store holding only the events effective on or before ``day``."""
    copy = infra.new_database()
    migrate(copy)
    with psycopg.connect(url) as source, psycopg.connect(copy) as target:
        rows = source.execute(
            "SELECT originator_id, originator_version, topic, state, tenant_id, actor_role FROM credledger_events "
            "ORDER BY notification_id"
        ).fetchall()
        kept = [r for r in rows if effective_day(_mapper.to_domain_event(StoredEvent(*r[:3], bytes(r[3])))) <= day]
        with target.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO credledger_events (originator_id, originator_version, topic, state, tenant_id, "
                "actor_role) VALUES (%s, %s, %s, %s, %s, %s)",
                kept,
            )
    asyncio.run(rebuild_views(copy, projection_modules()))
    return view_rows(copy)


def test_an_export_of_each_quarter_holds_the_events_that_took_effect_in_it(
    demo: tuple[str, list[Any]], tmp_path: Path
) -> None:
    url, events = demo
    today = business_today()
    starts = sorted({date(d.year, 3 * ((d.month - 1) // 3) + 1, 1) for d in _month_ends()})
    for first in starts:
        last = min((first + timedelta(days=95)).replace(day=1) - timedelta(days=1), today)
        bundle = asyncio.run(export_bundle(url, tenant=TENANT, first_day=first, last_day=last, out=tmp_path / "q.tar"))
        lines = [msgspec.json.decode(line) for line in members(bundle.path)["events.jsonl"].splitlines()]
        exported = {(line["originator_id"], line["originator_version"]) for line in lines}
        effective = {(str(e.originator_id), e.originator_version) for e in events if first <= effective_day(e) <= last}
        assert effective and effective <= exported, f"quarter from {first}"


async def _audits(url: str, schema: str, day: date) -> list[dict[str, Any]]:
    """The access audit of every organization as of ``day``, read from the live views or a snapshot's schema,
    without what may differ (when a fact was last recorded; the name a practice has now)."""
    con = await asyncpg.connect(url)
    try:
        async with con.transaction(readonly=True):
            await con.execute(f"SET LOCAL search_path = {schema}, public")
            await con.execute("SELECT set_config('app.tenant_id', $1, true)", TENANT)
            page = Keyset.parse("legal_name", None, SORTABLE, "organization_id")
            rows = await audit_page(
                con, page, as_of=day, visible=None, organization_ids=None, kinds=None, severities=None,
                has_findings=None, limit=1000,
            )  # fmt: skip
    finally:
        await con.close()
    audits = [msgspec.to_builtins(audit_of(row, day)) for row in rows]
    for audit in audits:
        del audit["updated_at"], audit["legal_name"]
    return sorted(audits, key=lambda audit: audit["organization_id"])


def _as_replayed(url: str, day: date, read: Callable[[str, str, date], Coroutine[Any, Any, T]]) -> T:
    """What ``read`` reads, as of ``day``, from a replay of the store as of that day (a snapshot made and dropped)."""
    name = f"demo{read.__name__}_{day:%Y%m}"
    asyncio.run(replay_views(url, name=name, as_of=day, tenant=TENANT))
    try:
        return asyncio.run(read(url, f"snapshot_{name}", day))
    finally:
        asyncio.run(drop_snapshot(url, name))


def test_the_live_audit_as_of_a_past_day_is_that_days_audit(demo: tuple[str, list[Any]]) -> None:
    """The live views answer "as of D" from dated facts; a replay as of D folds only the facts effective by then:
    the two agree on every month's end, and the audits of different months differ."""
    url, _ = demo
    seen = []
    for day in _month_ends()[::2]:
        then = _as_replayed(url, day, _audits)
        assert any(account["grants"] for audit in then for account in audit["accounts"]), day
        assert asyncio.run(_audits(url, "public", day)) == then, f"the audit as of {day}"
        seen.append(then)
    assert any(audit["findings"] for then in seen for audit in then)
    assert len({msgspec.json.encode(then) for then in seen}) == len(seen)


async def _turnaround(url: str, schema: str, day: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every application's turnaround and the aging of the open ones as of ``day``, from the live views or a
    snapshot's schema."""
    con = await asyncpg.connect(url)
    try:
        async with con.transaction(readonly=True):
            await con.execute(f"SET LOCAL search_path = {schema}, public")
            await con.execute("SELECT set_config('app.tenant_id', $1, true)", TENANT)
            page = Keyset.parse("submitted_on", None, turnaround_sql.APPLICATION_SORTS, "application_id")
            rows = await turnaround.applications(con, page, as_of=day, visible=None, fetch=10_000)
            aging = await turnaround.aging(con, as_of=day, visible=None)
    finally:
        await con.close()
    return [msgspec.to_builtins(turnaround.application_of(r)) for r in rows], msgspec.to_builtins(aging)


def test_the_live_turnaround_as_of_a_past_day_is_that_days_turnaround(demo: tuple[str, list[Any]]) -> None:
    """Each application as it stood at a month's end (its stage, whom it waited on, its days counted to then) and
    the aging of the open ones, live and in a replay as of that day, agree; and the year moves them."""
    url, _ = demo
    seen = []
    for day in _month_ends()[1::2]:
        then = _as_replayed(url, day, _turnaround)
        assert asyncio.run(_turnaround(url, "public", day)) == then, f"the turnaround as of {day}"
        seen.append(then)
    stages = [{item["application_id"]: item["status"] for item in applications} for applications, _ in seen]
    # Applications opened over the year, and some open at one month's end were decided by a later one.
    assert all(len(earlier) < len(later) for earlier, later in pairwise(stages))
    assert any(
        earlier[app] == "open" and later[app] == "decided" for earlier, later in pairwise(stages) for app in earlier
    )
    assert any(aging for _, aging in seen)
