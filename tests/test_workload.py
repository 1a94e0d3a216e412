"""The workload generator (services/workload): the same seed gives the same plan and, run into fresh databases, the
same events; the plan is realistic (durations from the seeds, every entity kind and risk level, valid
identifiers); refusals are rare; the views it produces agree with each other and with the plan; the demo's findings
appear; and the HTTP API, given the same plan, stores the same events as the application layer."""

from __future__ import annotations

import asyncio
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, is_dataclass, replace
from datetime import date, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
import httpx
import msgspec
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from domain.business_days import add_business_days, business_days_between
from domain.dossier import DocumentType
from domain.npi import parse_npi
from domain.tin import parse_tin
from projections.access_audit.sql import FINDINGS
from services.api.auth import issue_token
from services.app import Actor, Credledger
from services.app.application_commands import AttachDocument, ResolveDeficiency
from services.app.user_account_commands import ChangeAccess, OpenUserAccount
from services.catalogs import taxonomy_codes
from services.composition import open_credledger
from services.migrate import migrate
from services.store.pii import tenant_scope
from services.workload import (
    AppTarget,
    Calendar,
    HttpTarget,
    Ref,
    Refused,
    Simulation,
    Step,
    Summary,
    UseCase,
    command_routes,
    command_use_cases,
    http_request,
    path_parameters,
    run_plan,
)
from tests.support import JWT_SECRET, MASTER_KEY, Infra, Stack, credledger, eventually, process_env, stop
from tests.view_state import lagging

pytestmark = pytest.mark.timeout(300)
END = date(2026, 11, 20)
TENANTS = ("workload-a", "workload-b")
SIMULATION = dict(seed=11, tenants=TENANTS, practices=8, months=9, end=END)
NETWORK_PLANS = {"aco_a", "aco_b", "mco"}  # the sole-enrollment risk: none of these active


# --- what the plan says, worked out from its steps alone ---------------------------------------------------------


@dataclass
class AppFacts:
    organization: Ref
    kind: str
    plan: str | None = None  # a plan's credentialing application: the plan
    practitioner: Ref | None = None  # a clinician's own application (None: the practice's)
    stage: str = "preparing"  # preparing | open | decided | withdrawn, as the turnaround view names them
    submitted_on: date | None = None
    received_on: date | None = None  # where the payer's clock starts: the day sent, or a mailed form's delivery
    decided_on: date | None = None
    deficiencies: dict[str, list[date]] = field(default_factory=dict)  # id -> [noticed, resolved?]


@dataclass
class TenantFacts:
    organizations: list[Ref] = field(default_factory=list)
    apps: dict[Ref, AppFacts] = field(default_factory=dict)
    provider_numbers: dict[Ref, str] = field(default_factory=dict)
    affiliations: dict[Ref, dict[str, tuple[str, str]]] = field(default_factory=dict)  # org -> plan -> (kind, state)
    grants: dict[Ref, set[str]] = field(default_factory=dict)
    access_since: dict[Ref, date] = field(default_factory=dict)  # start of the current holding of any grant
    last_review: dict[Ref, date] = field(default_factory=dict)
    active: dict[Ref, bool] = field(default_factory=dict)


def facts(plan: list[Step]) -> dict[str, TenantFacts]:
    """Replay the plan's steps (those it means to be accepted) with nothing but their arguments."""
    found: dict[str, TenantFacts] = defaultdict(TenantFacts)
    for step in plan:
        if not step.refusal:
            for replay in (_organization_facts, _application_facts, _account_facts):
                replay(found[step.tenant], step, step.fields, step.ids[0] if step.ids else None)
    return found


def _organization_facts(t: TenantFacts, step: Step, a: dict[str, Any], target: Any) -> None:
    match step.use_case:
        case Credledger.register_organization:
            t.organizations.append(step.creates)
        case Credledger.issue_provider_number:
            t.provider_numbers[target] = a["provider_number"]
        case Credledger.request_affiliation:
            t.affiliations.setdefault(target, {})[a["plan"]] = (a["kind"], "requested")
        case Credledger.move_affiliation:
            kind, _ = t.affiliations[target][a["plan"]]
            t.affiliations[target][a["plan"]] = (kind, a["to"])


def _affiliation_follows(t: TenantFacts, app: AppFacts, to: str) -> None:
    """A plan's credentialing application moves the plan's affiliation along while it is on its way."""
    kind, state = t.affiliations.get(app.organization, {}).get(app.plan or "", (None, None))
    if (
        app.practitioner is None
        and kind is not None
        and app.plan is not None
        and state in ("requested", "in_credentialing")
    ):
        t.affiliations[app.organization][app.plan] = (kind, to)


def _application_facts(t: TenantFacts, step: Step, a: dict[str, Any], target: Any) -> None:
    match step.use_case:
        case Credledger.open_application:
            t.apps[step.creates] = AppFacts(a["organization_id"], a["kind"], a.get("plan"), a.get("practitioner_id"))
        case Credledger.submit_application:
            t.apps[target].stage, t.apps[target].submitted_on = "open", a["submitted_on"]
            t.apps[target].received_on = a["submitted_on"]  # by fax or the portal; a mailed form's below
            t.apps[target].deficiencies = {}
            _affiliation_follows(t, t.apps[target], "in_credentialing")
        case Credledger.confirm_receipt:
            t.apps[target].received_on = a["received_on"]
        case Credledger.reject_application:
            t.apps[target].stage, t.apps[target].submitted_on = "preparing", None
        case Credledger.notice_deficiency:
            t.apps[target].deficiencies[a["deficiency_id"]] = [a["noticed_on"]]
        case Credledger.resolve_deficiency:
            t.apps[target].deficiencies[step.ids[1]].append(a["resolved_on"])  # a path parameter
        case Credledger.approve_application | Credledger.deny_application:
            t.apps[target].stage, t.apps[target].decided_on = "decided", a["decided_on"]
            if step.use_case is Credledger.deny_application:
                _affiliation_follows(t, t.apps[target], "denied")
            if a.get("provider_number") and t.apps[target].practitioner is None:  # a clinician's is its own
                t.provider_numbers[t.apps[target].organization] = a["provider_number"]
        case Credledger.withdraw_application:
            t.apps[target].stage, t.apps[target].decided_on = "withdrawn", a["withdrawn_on"]
            _affiliation_follows(t, t.apps[target], "withdrawn")


def _account_facts(t: TenantFacts, step: Step, a: dict[str, Any], target: Any) -> None:
    match step.use_case:
        case Credledger.open_user_account | Credledger.replace_primary_user:
            t.grants[step.creates], t.active[step.creates] = set(), True
        case Credledger.grant_access:
            if not t.grants[target]:
                t.access_since[target] = step.on
            t.grants[target].add(a["function"])
        case Credledger.revoke_access:
            t.grants[target].discard(a["function"])
        case Credledger.review_access:
            t.last_review[target] = a["on"]
            if a["outcome"] == "revoked":
                t.grants[target] = set()
        case Credledger.deactivate_account:
            t.grants[target], t.active[target] = set(), False


# --- the events a run stored, comparable across databases ------------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalized_events(database_url: str, app: Credledger, tenant: str) -> dict[int, list[tuple[Any, ...]]]:
    """Per aggregate (numbered in order of creation), its events as (topic, the actor's role, fields): ids
    replaced by those numbers, timestamps left out."""
    with psycopg.connect(database_url) as con:
        rows = con.execute(
            "SELECT originator_id, originator_version, topic, state, actor_role FROM credledger_events "
            "WHERE tenant_id = %s ORDER BY notification_id",
            (tenant,),
        ).fetchall()
    numbers: dict[UUID, int] = {}
    for originator_id, version, *_ in rows:
        if version == 1:
            numbers.setdefault(originator_id, len(numbers))

    def plain(value: Any) -> Any:
        if isinstance(value, UUID):
            return f"#{numbers.get(value, '?')}"
        if isinstance(value, str):
            return _UUID.sub(lambda m: f"#{numbers.get(UUID(m.group()), '?')}", value)
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {plain(k): plain(v) for k, v in value.items()}
        if is_dataclass(value):
            return plain(vars(value))
        return value

    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with tenant_scope(tenant):
        for originator_id, version, topic, state, actor_role in rows:
            event = app.mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
            fields = {k: v for k, v in vars(event).items() if k not in ("originator_id", "timestamp")}
            found[numbers[originator_id]].append((topic, actor_role, plain(fields)))
    return dict(found)


# --- a loaded database with its views ---------------------------------------------------------------------------


@dataclass
class Loaded:
    database_url: str
    app: Credledger
    plan: list[Step]
    summary: Summary

    def id(self, tenant: str, ref: Ref) -> UUID:
        return self.summary.ids[(tenant, ref)]

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as con:
            return con.execute(query, params).fetchall()


def fresh_app(infra: Infra) -> tuple[str, Credledger]:
    database_url = infra.new_database()
    migrate(database_url)
    return database_url, open_credledger(database_url, MASTER_KEY)


@pytest.fixture(scope="module")
def loaded(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The plan run through the application layer, with the relay and the projection workers running."""
    database_url, app = fresh_app(infra)
    tmp = tmp_path_factory.mktemp("workload")
    env = process_env(database_url, infra.nats_url, infra.new_namespace(), tmp)
    relay = credledger(["relay"], env, tmp / "relay.log")
    worker = credledger(["project"], env, tmp / "project.log")
    try:
        plan = Simulation(**SIMULATION).plan()
        summary = run_plan(plan, AppTarget(app), workers=2)
        eventually(lambda: lagging(database_url) == 0, timeout=120, interval=0.5)
    finally:
        assert stop(worker) == 0, (tmp / "project.log").read_text()[-3000:]
        assert stop(relay) == 0, (tmp / "relay.log").read_text()[-3000:]
    assert "Traceback" not in (tmp / "project.log").read_text()
    yield Loaded(database_url, app, plan, summary)
    app.close()


# --- the plan alone ------------------------------------------------------------------------------------------------


def test_the_calendar_agrees_with_the_domain() -> None:
    calendar = Calendar(date(2025, 11, 1), date(2027, 3, 1))
    for offset in range(0, 300, 7):
        start = date(2025, 12, 1) + timedelta(days=offset)
        for n in (0, 1, 5, 7, 45, 60):
            assert calendar.add(start, n) == add_business_days(start, n)
        end = start + timedelta(days=offset % 90)
        assert calendar.between(start, end) == business_days_between(start, end)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    plan = Simulation(**SIMULATION).plan()
    assert plan == Simulation(**SIMULATION).plan()
    assert plan != Simulation(**{**SIMULATION, "seed": 12}).plan()
    # Time-ordered; each tenant's steps are the tenant's own plan; a Ref is created before it is used.
    assert [s.on for s in plan] == sorted(s.on for s in plan)
    assert plan[-1].on <= END and plan[0].on >= date(2026, 2, 20)
    simulation = Simulation(**SIMULATION)
    for tenant in TENANTS:
        assert [s for s in plan if s.tenant == tenant] == simulation.plan_for(tenant)
    created: set[tuple[str, Ref]] = set()
    for step in plan:
        used = [v for v in (*step.ids, *step.fields.values()) if isinstance(v, Ref)]
        assert all((step.tenant, ref) in created for ref in used), step
        if step.creates:
            assert (step.tenant, step.creates) not in created
            created.add((step.tenant, step.creates))
        assert step.use_case in command_use_cases(Credledger) and step.command(**step.fields)
        assert step.role in ("firm_admin", "specialist")
    # A tenant's plan does not depend on the other tenants.
    assert Simulation(**{**SIMULATION, "tenants": TENANTS[:1]}).plan() == [s for s in plan if s.tenant == TENANTS[0]]


def test_the_plan_is_a_realistic_firm() -> None:
    plan = Simulation(seed=1, tenants=["firm"], practices=40, months=12, end=END).plan()
    registered = [s.fields for s in plan if s.use_case == Credledger.register_organization]
    assert {r["entity_kind"] for r in registered} == {
        "solo_practitioner",
        "group",
        "facility",
        "out_of_state_telehealth",
    }
    assert {r["risk_level"] for r in registered} == {"limited", "moderate", "high"}
    assert {r["tin_kind"] for r in registered} == {"ssn", "ein"}
    known = taxonomy_codes("25.1")
    for r in registered:
        parse_npi(r["npi"]), parse_tin(r["tin"], r["tin_kind"])
        assert all(t.code in known for t in r["taxonomies"])
        assert r["practice_address"].state == "MA" or r["entity_kind"] == "out_of_state_telehealth"
    for s in plan:
        if s.use_case == Credledger.register_practitioner:
            parse_npi(s.fields["npi"])
    # Every number issued is new to the firm; a second office enrolls under its practice's (its own PID/SL).
    located = [s for s in plan if s.use_case == Credledger.open_application and s.fields.get("service_location")]
    offices = {s.creates for s in located}
    clinicians = {s.creates: s.fields for s in plan if s.use_case == Credledger.open_application
                  and s.fields.get("practitioner_id")}  # fmt: skip
    issued = [s for s in plan if s.fields.get("provider_number") and s.ids[0] not in offices]
    numbers = [s.fields["provider_number"] for s in issued if s.ids[0] not in clinicians]
    # A clinician's MassHealth enrollment brings it a number of its own; a plan, now and then, an id of its own.
    own = {clinicians[s.ids[0]]["kind"]: s.fields["provider_number"] for s in issued if s.ids[0] in clinicians}
    assert re.fullmatch(r"[0-9]{7}", own["enrollment"]) and any(k.endswith("_affiliation") for k in own)
    numbers += [s.fields["provider_number"] for s in issued if clinicians.get(s.ids[0], {}).get("kind") == "enrollment"]
    assert numbers and all(re.fullmatch(r"[0-9]{7}", n) for n in numbers) and len(set(numbers)) == len(numbers)
    under = {s.fields.get("provider_number") for s in plan if s.ids and s.ids[0] in offices} - {None}
    assert under and under <= set(numbers)

    # Durations from the seeds: the payer's business days (the client's deficiency days taken out).
    payer_days: dict[str, list[int]] = defaultdict(list)
    deficient: Counter[str] = Counter()
    submitted: Counter[str] = Counter()
    for app in facts(plan)["firm"].apps.values():
        if app.practitioner is not None:
            app = replace(app, kind=f"clinician {app.kind}")  # its own durations, below
        if app.stage in ("open", "decided"):
            submitted[app.kind] += 1
            deficient[app.kind] += bool(app.deficiencies)
        if app.stage == "decided":
            client = sum(business_days_between(*d) for d in app.deficiencies.values())
            # The payer's clock runs from its receipt (the seeds: "within seven business days" of it).
            payer_days[app.kind].append(business_days_between(app.received_on, app.decided_on) - client)
    posc = payer_days["posc_registration"]
    assert all(2 <= d <= 12 for d in posc) and statistics.median(posc) <= 7
    assert sum(d <= 7 for d in posc) / len(posc) > 0.75  # "processed within seven business days", mostly
    enrollment = payer_days["enrollment"]
    assert all(45 <= d <= 75 for d in enrollment) and 45 <= statistics.median(enrollment) <= 60
    plans = payer_days["aco_affiliation"] + payer_days["mco_affiliation"] + payer_days["pcc_affiliation"]
    assert all(30 <= d <= 75 for d in plans) and 30 <= statistics.median(plans) <= 60
    assert 0.1 <= deficient["enrollment"] / submitted["enrollment"] <= 0.45  # "deficiencies on a share of them"
    clinicians_enrollments = payer_days["clinician enrollment"]
    assert clinicians_enrollments and all(45 <= d <= 75 for d in clinicians_enrollments)
    commands = Counter(s.use_case for s in plan)
    for command in (
        Credledger.confirm_receipt,  # mailed POSC-DC-PE forms
        Credledger.end_engagement,  # billing agencies' engagements over
        Credledger.replace_primary_user,
        Credledger.reject_application,
        Credledger.deny_application,
        Credledger.withdraw_application,
        Credledger.correct_profile,
        Credledger.end_rendering,  # a clinician left the group
        Credledger.receive_revalidation_letter,  # clients onboarded already enrolled
        Credledger.record_dea_registration,
        Credledger.attest_caqh,
        Credledger.clear_exclusion_screening,
        Credledger.reset_password,
        Credledger.revoke_access,
        Credledger.deactivate_account,
        Credledger.record_departure,
        Credledger.issue_provider_number,
        Credledger.name_location_primary_user,  # a second office's PID/SL (the others' never named: a finding)
    ):
        assert commands[command] > 0, command.__name__
    assert {(s.fields["kind"], s.fields["service_location"]) for s in located} == {("enrollment", "B")}
    assert commands[Credledger.name_location_primary_user] < len(located)  # some never get one
    kinds = {s.fields["kind"] for s in plan if s.use_case == Credledger.open_application}
    assert kinds == {
        "posc_registration",
        "primary_user_modification",
        "enrollment",
        "revalidation",
        "aco_affiliation",
        "mco_affiliation",
        "pcc_affiliation",
    }


def test_a_large_plan_streams_tenant_by_tenant() -> None:
    """For the benchmarks' million events: iter_plan yields one tenant's plan after another without holding them
    all. (Speed is measured in bench/, not asserted here.)"""
    simulation = Simulation(seed=1, tenants=[f"t{i}" for i in range(3)], practices=5, months=9, end=END)
    streamed = simulation.iter_plan()
    assert not isinstance(streamed, list)
    assert list(streamed) == [s for t in simulation.tenants for s in simulation.plan_for(t)]


class Recording:
    """A target that stores nothing: each step gets a fresh id; steps naming ``refuse`` are refused."""

    def __init__(self, refuse: UseCase | None) -> None:
        self.refuse, self.calls = refuse, []

    def execute(self, step: Step, ids: tuple[Any, ...], fields: dict[str, Any]) -> UUID:
        self.calls.append((step.use_case, ids, fields))
        if step.use_case == self.refuse:
            raise Refused("some-rule")
        return uuid5(NAMESPACE_URL, f"{len(self.calls)}")


def test_run_plan_resolves_references_and_counts_refusals_by_rule() -> None:
    plan = Simulation(seed=2, tenants=["a", "b"], practices=2, months=3, end=END).plan()
    seen: list[tuple[int, int]] = []
    target = Recording(refuse=None)
    summary = run_plan(iter(plan), target, progress=lambda done, total: seen.append((done, total)))
    assert summary.commands == len(plan) and summary.refused == summary.unexpected_refusals == 0
    assert seen[-1] == (len(plan), 0)  # a plan without a length: every 1,000 steps and at the end, total 0
    _, ids, fields = next(c for c in target.calls if c[0] == Credledger.open_user_account)
    assert isinstance(fields["organization_id"], UUID) and not any(isinstance(v, Ref) for v in fields.values())
    _, ids, _ = next(c for c in target.calls if c[0] == Credledger.complete_checklist_step)
    assert len(ids) == 1 and isinstance(ids[0], UUID)
    seen.clear()
    # A refused creation leaves its later steps unresolved: counted, never sent.
    target = Recording(refuse=Credledger.open_application)
    summary = run_plan(plan, target, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(plan), len(plan))
    assert summary.refused_rules["open_application/some-rule"] == summary.by_command["open_application"]
    assert summary.refused_rules["submit_application/unresolved-reference"] > 0
    assert summary.unexpected_refusals == summary.refused
    assert all(c[0] != Credledger.submit_application for c in target.calls)


def test_each_use_case_maps_to_its_route_and_body() -> None:
    """The routes are read off the API (services/workload/routes.py), the use cases off the application service
    by their type hints (services/app/catalog.py): every command use case has exactly one route, whose path
    parameters are the use case's arguments before the command, and the body is the command itself."""
    app_id = UUID(int=7)
    coi = AttachDocument(
        document_id="coi-1",
        type=DocumentType.LIABILITY_COI,
        received_on=END,
        expires_on=END,
        per_occurrence_limit=1_000_000,
        aggregate_limit=3_000_000,
    )
    path, body = http_request(Credledger.attach_document, (app_id,), coi)
    assert path == f"/v1/applications/{app_id}/documents"
    assert msgspec.json.decode(body) == {
        "reason": None,
        "document_id": "coi-1",
        "type": "liability_coi",
        "received_on": "2026-11-20",
        "expires_on": "2026-11-20",
        "per_occurrence_limit": 1_000_000,
        "aggregate_limit": 3_000_000,
        "dea_state": None,
        "supersedes": None,
    }
    assert msgspec.json.decode(body, type=AttachDocument) == coi
    resolve = ResolveDeficiency(resolved_on=END)
    path, body = http_request(Credledger.resolve_deficiency, (app_id, "4/d1"), resolve)
    assert path == f"/v1/applications/{app_id}/deficiencies/4%2Fd1/resolve"  # a path parameter, quoted
    assert msgspec.json.decode(body) == {"reason": None, "resolved_on": "2026-11-20"}
    account = OpenUserAccount(organization_id=app_id, person_name="A", role="primary")
    assert http_request(Credledger.open_user_account, (), account)[0] == "/v1/user-accounts"
    # Use cases that share a command type have their own routes.
    shared = (Credledger.grant_access, Credledger.revoke_access)  # both take ChangeAccess
    grant, revoke = (http_request(u, (app_id,), ChangeAccess(function="claims_batch"))[0] for u in shared)
    assert grant.endswith("/access-grants") and revoke.endswith("/access-revocations")
    # Every command use case of the application service has its route, and only they do.
    use_cases = command_use_cases(Credledger)
    assert len(use_cases) > 30 and command_routes().keys() == use_cases.keys()
    for use_case, route in command_routes().items():
        assert route.parameters == path_parameters(use_case), use_case
    with pytest.raises(ValueError, match="no HTTP route"):
        http_request(Credledger.get_application, (app_id,), resolve)


# --- a loaded database -------------------------------------------------------------------------------------------


def test_refusals_are_rare_and_all_planned(loaded: Loaded) -> None:
    summary = loaded.summary
    assert summary.commands == len(loaded.plan) and summary.refused_rules.keys() <= {
        "submit_application/documents-missing"
    }, summary.refused_rules
    assert summary.unexpected_refusals == 0
    assert summary.refused < 0.05 * summary.commands
    assert sum(summary.by_command.values()) == summary.commands


def test_the_same_plan_stores_the_same_events(loaded: Loaded, infra: Infra) -> None:
    database_url, app = fresh_app(infra)
    try:
        again = run_plan(Simulation(**SIMULATION).plan(), AppTarget(app), workers=2)
        assert again.refused == loaded.summary.refused
        for tenant in TENANTS:
            first = normalized_events(loaded.database_url, loaded.app, tenant)
            assert len(first) > 50
            assert normalized_events(database_url, app, tenant) == first
    finally:
        app.close()


def test_the_views_agree_with_each_other_and_with_the_plan(loaded: Loaded) -> None:
    plan_facts = facts(loaded.plan)
    for tenant in TENANTS:
        t = plan_facts[tenant]
        organizations = {loaded.id(tenant, ref): ref for ref in t.organizations}
        for table in ("affiliation_status", "access_audit_organizations", "turnaround_organizations"):
            rows = loaded.sql(f"SELECT organization_id FROM {table} WHERE tenant_id = %s", tenant)
            assert {r[0] for r in rows} == organizations.keys(), table

        # Affiliation status: the provider number, the plans' states and the sole-enrollment risk, as planned.
        rows = loaded.sql(
            "SELECT organization_id, provider_number, affiliations, sole_enrollment_risk, nppes_mismatches "
            "FROM affiliation_status WHERE tenant_id = %s",
            tenant,
        )
        risks = mismatched = 0
        actor = Actor(tenant, "test", "auditor")
        for organization_id, provider_number, affiliations, risk, mismatches in rows:
            ref = organizations[organization_id]
            planned = t.affiliations.get(ref, {})
            assert provider_number == t.provider_numbers.get(ref)
            assert {plan: a["state"] for plan, a in affiliations.items()} == {p: s for p, (_, s) in planned.items()}
            active_network = any(kind in NETWORK_PLANS and state == "active" for kind, state in planned.values())
            assert risk == (ref in t.provider_numbers and not active_network)
            domain = loaded.app.get_organization(actor, organization_id)
            assert [m["field"] for m in mismatches] == [m.field for m in domain.nppes_mismatches]
            risks += risk
            mismatched += bool(mismatches) and mismatches[0]["field"] != "nppes"
        assert risks > 0 and mismatched > 0  # the demo's sole-enrollment risk and an NPPES mismatch left open

        # Turnaround: every application, at the stage the plan left it; the business days of each decided one are
        # the domain's count from the plan's dates, and the client's share is its deficiency periods.
        rows = loaded.sql(
            "SELECT application_id, kind, stage, submitted_on, decided_on, business_days, client_days "
            "FROM turnaround_steps JOIN turnaround_applications USING (tenant_id, application_id) "
            "WHERE tenant_id = %s AND until IS NULL",
            tenant,
        )
        applications = {loaded.id(tenant, ref): app for ref, app in t.apps.items()}
        assert {r[0] for r in rows} == applications.keys()
        for application_id, kind, stage, submitted_on, decided_on, business_days, client_days in rows:
            app = applications[application_id]
            assert (kind, stage, submitted_on) == (app.kind, app.stage, app.submitted_on)
            if stage == "decided":
                client = sum(business_days_between(*d) for d in app.deficiencies.values())
                assert decided_on == app.decided_on
                assert business_days == business_days_between(app.submitted_on, app.decided_on)
                assert client_days == client and business_days - client_days >= 0
        stages = Counter(r[2] for r in rows)
        assert stages == Counter(app.stage for app in t.apps.values())
        assert stages["decided"] > 10 and stages["open"] > 0 and stages["preparing"] > 0
        sla = {"posc_registration": 7, "primary_user_modification": 7}
        breached = [r for r in rows if r[2] == "decided" and r[5] > sla.get(r[1], 60)]
        assert breached and any(r[6] for r in rows if r[2] == "decided")  # some late, some with deficiencies


def findings(database_url: str, as_of: date) -> list[asyncpg.Record]:
    async def query() -> list[asyncpg.Record]:
        con = await asyncpg.connect(database_url)
        try:
            return await con.fetch(
                f"{FINDINGS} SELECT o.tenant_id, f.kind, f.account_id FROM findings f "
                "JOIN access_audit_organizations o USING (organization_id)",
                as_of,
                90,
                None,
                None,
            )
        finally:
            await con.close()

    return asyncio.run(query())


def test_the_demo_findings_appear(loaded: Loaded) -> None:
    found = findings(loaded.database_url, END)
    plan_facts = facts(loaded.plan)
    # On some day of the year, in some tenant: a POSC-DC-PM with MassHealth after a primary user left, and a
    # billing agency's access nobody reviewed once its first review was due.
    days = [END - timedelta(days=n) for n in range(0, 365, 5)]
    seen = {r["kind"] for day in days for r in findings(loaded.database_url, day)}
    assert {"primary_user_modification_submitted", "partner_never_reviewed"} <= seen, seen
    for tenant in TENANTS:
        kinds = Counter(r["kind"] for r in found if r["tenant_id"] == tenant)
        for kind in (
            "primary_user_departed_without_modification",  # a primary user left, no approved POSC-DC-PM yet
            "departed_with_access",  # a departed person still holds access
        ):
            assert kinds[kind] > 0, (tenant, kind, kinds)
        # Reviews overdue at the end, by the plan's business dates: access held, and not reviewed in the 90 days
        # before the end (nor granted in them). The view's clock starts from when a grant was recorded, so a freshly
        # loaded history shows these findings only 90 days later; see the report.
        t = plan_facts[tenant]
        overdue = [
            ref
            for ref, grants in t.grants.items()
            if grants
            and t.active[ref]
            and max(t.last_review.get(ref, date.min), t.access_since[ref]) < END - timedelta(days=90)
        ]
        assert overdue, tenant


# --- over HTTP -------------------------------------------------------------------------------------------------------


def test_the_http_api_stores_the_same_events_as_the_application_layer(
    stack: Stack, infra: Infra, tenants: tuple[str, str]
) -> None:
    tenant = tenants[0]  # a fresh tenant in the shared stack; the plan is the same whatever its name
    plan = [
        replace(s, tenant=tenant) for s in Simulation(seed=6, tenants=["http"], practices=3, months=7, end=END).plan()
    ]
    # A slip the domain refuses (422 over HTTP): withdrawing an application already decided.
    decided = next(s for s in plan if s.use_case == Credledger.approve_application)
    slip = Step(
        END,
        tenant,
        decided.user,
        decided.role,
        Credledger.withdraw_application,
        decided.ids,
        {"withdrawn_on": END},
        refusal="application-closed",
    )
    plan.append(slip)

    def token(tenant: str, user: str, role: str) -> str:
        return issue_token(JWT_SECRET, tenant=tenant, role=role, user=user)

    with HttpTarget(stack.base_url, token_for=token) as target:
        over_http = run_plan(plan, target)
    database_url, app = fresh_app(infra)
    stack_app = open_credledger(stack.database_url, MASTER_KEY)
    try:
        direct = run_plan(plan, AppTarget(app))
        assert over_http.unexpected_refusals == direct.unexpected_refusals == 0, (over_http, direct)
        assert over_http.refused_rules == direct.refused_rules and over_http.refused >= 1, (over_http, direct)
        events = normalized_events(stack.database_url, stack_app, tenant)
        assert len(events) > 20 and events == normalized_events(database_url, app, tenant)
    finally:
        app.close()
        stack_app.close()

    # Every route read off the app is a command route the running API serves.
    document = httpx.get(stack.base_url + "/schema/openapi.json").json()
    posts = {re.sub(r"\{[^}]*\}", "{}", path) for path, ops in document["paths"].items() if "post" in ops}
    assert {re.sub(r"\{[^}]*\}", "{}", route.template) for route in command_routes().values()} <= posts
