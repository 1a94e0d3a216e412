"""Ordering: one history of dated facts, recorded in different orders, gives the same answers as of every day.

The history is one practice's quarter: its PIN letter and its primary user's POSC registration, accounts opened,
access granted, revoked and reviewed, a departure and a deactivation, an affiliation through to active, a profile
correction, applications. It is recorded once in the order the facts happened (tenant ``order-0``) and then in
random orders that the domain accepts (a record's facts on one part in date order, a fact after the facts it needs:
the records it names, the primary user's POSC registration before any grant, the PIN letter before registering with
the PIN): each order in a tenant of its own. As of every day that matters, each tenant's records (the use cases'
``as_of``), its replayed views (``credledger replay``'s ``replay_views``) and its rebuilt views equal the first
tenant's, once each tenant's ids are read as the first's.

One more tenant records the history in order but gives some facts the wrong day, then corrects each with an
``EffectiveDateCorrected`` event (domain/date_corrections.py): its answers, as of every day, equal the first
tenant's too.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec
import pytest

from domain.application import Application
from domain.organization import Organization
from domain.user_account import UserAccount
from projections.engine.rebuild import rebuild_views
from projections.engine.registry import projection_modules
from projections.engine.replay import drop_snapshot, replay_views
from services.app import Actor, Credledger, NotFound
from services.app.application_commands import OpenApplication, WithdrawApplication
from services.app.commands import CorrectEffectiveDate
from services.app.details import application_details, organization_details, user_account_details
from services.app.organization_commands import (
    CorrectProfile,
    IssueProviderNumber,
    MoveAffiliation,
    ReceivePinLetter,
    RequestAffiliation,
)
from services.app.user_account_commands import (
    ChangeAccess,
    CompleteChecklistStep,
    OnDate,
    OpenUserAccount,
    ReviewAccess,
)
from tests.mixed_workload import organization
from tests.support import Infra
from tests.test_recovery import setup
from tests.view_state import view_rows

pytestmark = pytest.mark.timeout(300)
ORDERS = 4  # the natural order and three shuffled ones
TENANTS = ORDERS + 1  # and the one that records wrong days, then corrects them
D = date(2026, 1, 5)
# The facts that tenant first records on a wrong day (each fact's day, in days after D -> the wrong one).
WRONG_DAYS = {0: -3, 7: 6, 8: 9, 29: 31, 33: 34, 50: 51}


@dataclass(frozen=True)
class Fact:
    """One command of the history: the record it is about (its creation is the record's first fact), the parts of
    that record it touches ("*": all), what it needs recorded first (``"record"``: that record's facts on all its
    parts, such as its creation; ``"record:part"``: also its facts on that part), its business day, and its call."""

    record: str
    parts: frozenset[str]
    needs: tuple[str, ...]
    day: date
    call: Callable[[Credledger, Actor, dict[str, UUID]], Any]

    def before(self, other: Fact) -> bool:
        """Whether this fact, earlier in the history, must also be recorded before ``other``: one on a part of the
        same record, or one that ``other`` needs, dated by ``other``'s day."""
        if other.record == self.record and (self.parts & other.parts or "*" in self.parts | other.parts):
            return True
        return self.day <= other.day and any(self.provides(need) for need in other.needs)

    def provides(self, need: str) -> bool:
        """Whether this fact is one of those ``need`` names: ``"record"`` or ``"record:part"``."""
        record, _, part = need.partition(":")
        return self.record == record and ("*" in self.parts or part in self.parts)


def _on(use_case: str, record: str, command: Any) -> Callable[[Credledger, Actor, dict[str, UUID]], Any]:
    return lambda app, actor, ids: getattr(app, use_case)(actor, ids[record], command)


def _history(wrong_days: dict[int, int] | None = None) -> list[Fact]:
    """The practice's quarter, in the order the facts happened; with ``wrong_days``, some of them recorded on
    another day (``day(n)`` is then that day)."""
    plan = "Tufts Health Together"
    every = frozenset("*")
    access = lambda f: frozenset({f"access:{f}"})  # noqa: E731
    affiliation = frozenset({f"affiliation:{plan}"})
    checklist = frozenset({"checklist"})

    def day(n: int) -> date:
        return D + timedelta(days=(wrong_days or {}).get(n, n))

    def opened(name: str, role: str, n: int, **extra: Any) -> Fact:
        def call(app: Credledger, actor: Actor, ids: dict[str, UUID]) -> Any:
            command = OpenUserAccount(
                organization_id=ids["org"], person_name=name.title(), role=role, opened_on=day(n), **extra
            )
            return app.open_user_account(actor, command)

        return Fact(name, every, ("org",), day(n), call)

    def access_fact(name: str, use_case: str, function: str, n: int) -> Fact:
        command = ChangeAccess(function=function, on=day(n))
        # A grant (to Pat too) is Pat's, the primary user's, once Pat is registered in POSC (the checklist's steps).
        needs = ("pat", "pat:checklist") if use_case == "grant_access" else ("pat",)
        return Fact(name, access(function), needs, day(n), _on(use_case, name, command))

    def step_fact(step: str, n: int) -> Fact:
        """A step of Pat's POSC registration checklist: registering with the PIN needs the org's PIN letter."""
        command = CompleteChecklistStep(step=step, on=day(n))
        needs = ("org:pin",) if step == "registered_with_pin" else ()
        return Fact("pat", checklist, needs, day(n), _on("complete_checklist_step", "pat", command))

    def org_fact(parts: frozenset[str], use_case: str, n: int, command: Any) -> Fact:
        return Fact("org", parts, (), day(n), _on(use_case, "org", command))

    def register(app: Credledger, actor: Actor, ids: dict[str, UUID]) -> Any:
        return app.register_organization(actor, organization("Ordered Practice", registered_on=day(0)))

    def open_app(app: Credledger, actor: Actor, ids: dict[str, UUID]) -> Any:
        command = OpenApplication(organization_id=ids["org"], kind="revalidation", channel="portal", opened_on=day(12))
        return app.open_application(actor, command)

    review = ReviewAccess(outcome="confirmed", on=day(36), reviewer="Pat Primary")
    facts = [
        Fact("org", every, (), D, register),
        org_fact(frozenset({"pin"}), "receive_pin_letter", 1, ReceivePinLetter(pin="A1B2C3", received_on=day(1))),
        opened("pat", "primary", 1, date_of_birth=date(1980, 2, 29)),  # registering with the PIN needs it
        step_fact("registered_with_pin", 1),
        step_fact("new_user_email_received", 1),
        step_fact("password_changed", 2),
        step_fact("authentication_questions_answered", 2),
        access_fact("pat", "grant_access", "eligibility_verification", 2),
        opened("ann", "subordinate", 5),
        access_fact("ann", "grant_access", "eligibility_verification", 7),
        org_fact(affiliation, "request_affiliation", 8, RequestAffiliation(kind="mco", plan=plan, on=day(8))),
        access_fact("pat", "grant_access", "provider_data_maintenance", 9),
        opened("bob", "business_partner", 10, partner_firm="Acme Billing", partner_function="billing"),
        access_fact("bob", "grant_access", "claim_status_remittance", 11),
        Fact("app", every, ("org",), day(12), open_app),
        org_fact(affiliation, "move_affiliation", 14, MoveAffiliation(plan=plan, to="in_credentialing", on=day(14))),
        access_fact("ann", "grant_access", "claims_direct_data_entry", 15),
        org_fact(
            frozenset({"provider_number"}),
            "issue_provider_number",
            20,
            IssueProviderNumber(provider_number="1234567", issued_on=day(20)),
        ),
        org_fact(frozenset({"profile"}), "correct_profile", 25, CorrectProfile(legal_name="Ordered LLC", on=day(25))),
        access_fact("ann", "revoke_access", "eligibility_verification", 29),
        org_fact(
            affiliation | {"provider_number"},
            "move_affiliation",
            30,
            MoveAffiliation(plan=plan, to="contracted", on=day(30)),
        ),
        Fact("app", every, (), day(33), _on("withdraw_application", "app", WithdrawApplication(withdrawn_on=day(33)))),
        Fact("bob", every, (), day(36), _on("review_access", "bob", review)),
        org_fact(
            affiliation | {"provider_number"},
            "move_affiliation",
            40,
            MoveAffiliation(plan=plan, to="active", on=day(40)),
        ),
        Fact("ann", every, (), day(50), _on("record_departure", "ann", OnDate(on=day(50)))),
        Fact("ann", every, (), day(52), _on("deactivate_account", "ann", OnDate(on=day(52)))),
    ]
    assert wrong_days or [f.day for f in facts] == sorted(f.day for f in facts)
    return facts


def _shuffled(facts: list[Fact], rng: random.Random) -> list[int]:
    """A random order of the facts (by index) that keeps every ``before`` constraint: a random topological sort."""
    waiting = list(range(len(facts)))
    order: list[int] = []
    while waiting:
        ready = [i for i in waiting if not any(facts[j].before(facts[i]) for j in waiting if j < i)]
        chosen = rng.choice(ready)
        order.append(chosen)
        waiting.remove(chosen)
    return order


def _record(app: Credledger, tenant: str, facts: list[Fact], order: list[int]) -> dict[str, UUID]:
    actor = Actor(tenant, "specialist-1", "specialist")
    ids: dict[str, UUID] = {}
    for i in order:
        saved = facts[i].call(app, actor, ids)
        ids.setdefault(facts[i].record, saved.id)  # a record's creation is the first fact recorded of it
    return ids


def _record_then_correct(app: Credledger, tenant: str, facts: list[Fact]) -> dict[str, UUID]:
    """The history recorded in order, some facts on the wrong day (WRONG_DAYS), then each day corrected."""
    actor = Actor(tenant, "specialist-1", "specialist")
    ids: dict[str, UUID] = {}
    wrong = []
    for recorded, fact in zip(_history(WRONG_DAYS), facts, strict=True):
        saved = recorded.call(app, actor, ids)
        ids.setdefault(fact.record, saved.id)
        if (fact.day - D).days in WRONG_DAYS:
            wrong.append((fact, saved.version))
    assert len(wrong) == len(WRONG_DAYS)
    use_cases = {"org": "correct_organization_date", "app": "correct_application_date"}
    for fact, version in wrong:
        command = CorrectEffectiveDate(version=version, on=fact.day, reason="typed the wrong day")
        getattr(app, use_cases.get(fact.record, "correct_account_date"))(actor, ids[fact.record], command)
    return ids


def _as_first(text: str, ids: dict[str, UUID], first: dict[str, UUID], tenant: str) -> str:
    """A tenant's answer with its ids (and its name) read as the first tenant's."""
    for name, uuid in ids.items():
        text = text.replace(str(uuid), str(first[name]))
    return text.replace(tenant, "order-0")


def test_recording_order_does_not_change_any_answer(infra: Infra) -> None:
    database_url, _, app = setup(infra)
    facts = _history()
    orders = [list(range(len(facts)))] + [_shuffled(facts, random.Random(seed)) for seed in range(1, ORDERS)]
    assert len({tuple(o) for o in orders}) == ORDERS  # the shuffles differ from the history and each other
    try:
        ids = [_record(app, f"order-{n}", facts, order) for n, order in enumerate(orders)]
        ids.append(_record_then_correct(app, f"order-{ORDERS}", facts))
        days = sorted({f.day + timedelta(days=k) for f in facts for k in (-1, 0)})
        days += [D + timedelta(days=n) for n in WRONG_DAYS.values()]  # the wrong days: nothing then either
        for day in sorted(set(days)):
            for n in range(1, TENANTS):
                assert _records_on(app, n, ids, day) == _records_on(app, 0, ids, day), f"records on {day}"
    finally:
        app.close()
    sample = [day for day in days if day >= D]
    for day in [*sample[:: max(1, len(sample) // 8)], sample[-1]]:  # the views as of a sample of the days
        name = f"order_{day:%Y%m%d}"
        asyncio.run(replay_views(database_url, name=name, as_of=day))
        _same_for_every_order(view_rows(database_url, schema=f"snapshot_{name}"), ids, f"views on {day}")
        asyncio.run(drop_snapshot(database_url, name))
    asyncio.run(rebuild_views(database_url, projection_modules()))
    _same_for_every_order(view_rows(database_url), ids, "rebuilt views")


def _records_on(app: Credledger, n: int, ids: list[dict[str, UUID]], day: date) -> str:
    """Every record of the n-th tenant as of ``day`` (or that it did not exist), as the first tenant's ids."""
    actor = Actor(f"order-{n}", "auditor", "auditor")
    shown: dict[str, Any] = {}
    for name, kind, details in (
        ("org", Organization, organization_details),
        ("app", Application, application_details),
        ("pat", UserAccount, user_account_details),
        ("ann", UserAccount, user_account_details),
        ("bob", UserAccount, user_account_details),
    ):
        try:
            record = msgspec.to_builtins(details(app.as_of(actor, kind, ids[n][name], day)))
        except NotFound:
            shown[name] = "not yet"
        else:
            record.pop("version")  # counts the events recorded (above)
            shown[name] = record
    return _as_first(msgspec.json.encode(shown).decode(), ids[n], ids[0], f"order-{n}")


def _same_for_every_order(rows: dict[str, list[tuple[Any, ...]]], ids: list[dict[str, UUID]], what: str) -> None:
    """Each tenant's rows of every view table, recording times and versions left out, equal the first tenant's."""
    by_tenant: dict[int, dict[str, list[str]]] = {n: {} for n in range(TENANTS)}
    for table, (header, *body) in rows.items():
        columns = header[0]
        # Versions count the record's events in the order recorded: they differ, and say nothing of the facts.
        # The expirables' period ids are derived from the subject's id (uuid5), which differs per tenant here and
        # cannot be mapped back: they are named by subject, credential and day, so no recording order moves them.
        derived = ("period_id", "open_periods")
        skipped = ("updated_at", "events_applied", *derived)
        kept = [i for i, c in enumerate(columns) if c not in skipped and "version" not in c]
        for row in body:
            n = int(re.sub(r"\D", "", str(row[columns.index("tenant_id")])))
            line = "|".join(str(row[i]) for i in kept)
            by_tenant[n].setdefault(table, []).append(_as_first(line, ids[n], ids[0], f"order-{n}"))
    expected = {table: sorted(lines) for table, lines in by_tenant[0].items()}
    assert expected, f"{what}: nothing to compare"
    for n in range(1, TENANTS):
        assert {table: sorted(lines) for table, lines in by_tenant[n].items()} == expected, f"{what}: order {n}"
