"""7. Re-screening: subjects per second of the monthly run over every firm's records (issue 16).

Figure: `services.lists.screening.rescreen` (what `credledger lists screen` and POST
/v1/exclusion-lists/{id}/screenings run) over every firm: each practice, its disclosed owner and managing employee,
and each clinician, judged against an edition of the generated LEIE-layout file (scenario 6's, as many rows) and
recorded through the application (`services.app.Credledger`). Full mode: 100 firms of 10 practices, each with 2
disclosed people and 3 clinicians: 6,000 subjects in 4,000 records (quick: 4 firms of 5 practices, 120 subjects).
A few are on the list (the same NPI: confirmed; the same name with the date of birth or the state: suspected).
Two figures: the first run (every subject's first screening of the list recorded) and a second run with the same
edition the same day (nothing changed, nothing recorded; best of the rounds).

Baseline: in the same process, on the same app, loading every one of those records from the event store as the
run does (``app.load``: the events read, decoded and their personal data opened), alternating with the second
run's rounds, best of the rounds: the rate no run that reads each record can beat. Ratio = figure / baseline.

The subjects are created through the application's use cases in-process (register, disclose, register the
clinician), on a fresh database; their creation is timed too (details).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from bench.context import Context
from bench.infra import say
from bench.report import result
from bench.s6_lists import FIRST_NAMES as LISTED_FIRST_NAMES
from bench.s6_lists import write_leie
from domain.business_time import business_today
from domain.disclosure import DisclosureRole
from domain.list_matching import dob_key
from domain.npi import luhn_check_digit
from domain.organization import Organization
from domain.organization_values import EntityKind, RiskLevel
from domain.practitioner import Practitioner
from domain.tin import TinKind
from services.app import Actor, Credledger
from services.app.commands import TaxonomyIn
from services.app.disclosure_commands import DiscloseOwnerOrManagingEmployee
from services.app.list_screening import EditionRef
from services.app.organization_commands import RegisterOrganization
from services.app.practitioner_commands import RegisterPractitioner
from services.composition import open_credledger
from services.lists.importer import import_list
from services.lists.screening import RunTotals, edition_ref, rescreen
from services.migrate import migrate
from services.workload import data

SIZES = {"quick": (4, 5), "full": (100, 10)}  # firms, practices per firm
PEOPLE = (DisclosureRole.OWNER, DisclosureRole.MANAGING_EMPLOYEE)  # disclosed per practice
CLINICIANS = 3  # per practice
ROUNDS = 3  # of the second run, each beside a baseline round
SEED = 16
# Every so many of each kind, one is on the list. Subjects' first names are none of the generated rows' (JAMES,
# MARY...), so only these rows match, and now and then a namesake: the last names, the workload's with a suffix
# (640), make about 25,000 names, so about 1 disclosed person in 100 shares a listed Massachusetts name.
LISTED_PRACTICE, LISTED_PERSON, LISTED_CLINICIAN = 7, 9, 10
_UNLISTED_FIRST = tuple(n for n in data.FIRST_NAMES if n.upper() not in LISTED_FIRST_NAMES)
_SUFFIXES = ("", "son", "er", "ley", "ford", "well", "ton", "man", "by", "field", "wood", "land", "more", "stein",
             "berg", "ell")  # fmt: skip


@dataclass
class Subjects:
    practices: list[tuple[str, UUID]] = field(default_factory=list)  # (tenant, id), as rescreen finds them
    clinicians: list[tuple[str, UUID]] = field(default_factory=list)
    listed: list[list[str]] = field(default_factory=list)  # LEIE rows naming some of them
    taken: set[str] = field(default_factory=set)  # NPIs used

    @property
    def count(self) -> int:
        return len(self.practices) * (1 + len(PEOPLE)) + len(self.clinicians)


def _npi(rng: random.Random, taken: set[str]) -> str:
    """A valid NPI starting with 2: the generated file's all start with 1, so none is listed by chance."""
    while True:
        body = "2" + "".join(str(rng.randrange(10)) for _ in range(8))
        value = body + str(luhn_check_digit("80840" + body))
        if value not in taken:
            taken.add(value)
            return value


def _row(
    *, last: str = "", first: str = "", business: str = "", npi: str = "", born: date | None = None, state: str = "MA"
) -> list[str]:
    """An LEIE row (UPDATED.csv's 18 columns), in force since 2024."""
    person = bool(last)
    return [last.upper(), first.upper(), "", business.upper(), "IND- LIC HC SERV PRO" if person else "OTHER BUSINESS",
            "PHYSICIAN" if person else "", "", npi or "0000000000", f"{born:%Y%m%d}" if born else "", "1 ELM ST",
            "SPRINGFIELD", state, "00000", "1128a1", "20240115", "00000000", "00000000", ""]  # fmt: skip


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_UNLISTED_FIRST), rng.choice(data.LAST_NAMES) + rng.choice(_SUFFIXES)


def _practice(app: Credledger, actor: Actor, n: int, day: date, rng: random.Random, s: Subjects) -> UUID:
    address = data.address(rng)
    npi = _npi(rng, s.taken)
    name = f"{address.city} Medical Group {n}"
    command = RegisterOrganization(
        legal_name=name,
        tin=data.ein(rng),
        tin_kind=TinKind.EIN,
        npi=npi,
        entity_kind=EntityKind.GROUP,
        taxonomies=[TaxonomyIn(code="193200000X", primary=True), TaxonomyIn(code="207Q00000X")],
        taxonomy_version=data.TAXONOMY_VERSION,
        practice_address=data.address_in(address),
        provider_type="physician group",
        risk_level=RiskLevel.LIMITED,
        registered_on=day,
    )
    org = app.register_organization(actor, command).id
    s.practices.append((actor.tenant_id, org))
    if n % LISTED_PRACTICE == 3:  # its NPI: a confirmed match
        s.listed.append(_row(business=f"{name} Billing LLC", npi=npi))
    for k, role in enumerate(PEOPLE):
        first, last = _person(rng)
        born = data.date_of_birth(rng)
        percent = Decimal(100) if role is DisclosureRole.OWNER else None
        disclose = DiscloseOwnerOrManagingEmployee(
            role=role, name=f"{first} {last}", tin=data.ssn(rng), birth_date=born, ownership_percent=percent, on=day
        )
        app.disclose_owner_or_managing_employee(actor, org, disclose)
        if (n * len(PEOPLE) + k) % LISTED_PERSON == 2:  # name and state (no dates of birth screened): suspected
            s.listed.append(_row(last=last, first=first, born=born))
    return org


def _clinician(app: Credledger, actor: Actor, org: UUID, j: int, day: date, rng: random.Random, s: Subjects) -> None:
    first, last = _person(rng)
    born, npi = data.date_of_birth(rng), _npi(rng, s.taken)
    command = RegisterPractitioner(organization_id=org, npi=npi, first_name=first, last_name=last, degree="MD",
                                   taxonomy_code="207Q00000X", date_of_birth=born, registered_on=day)  # fmt: skip
    s.clinicians.append((actor.tenant_id, app.register_practitioner(actor, command).id))
    # Listed in another state: the dates of birth decide for a clinician (a disclosed namesake would match on MA).
    if j % LISTED_CLINICIAN == 4:  # the NPI: confirmed
        s.listed.append(_row(last=last, first=first, npi=npi, born=born - timedelta(days=400), state="NY"))
    elif j % LISTED_CLINICIAN == 7:  # the name and date of birth: suspected
        s.listed.append(_row(last=last, first=first, born=born, state="NY"))


def _build(app: Credledger, firms: int, practices: int, day: date) -> Subjects:
    rng, subjects = random.Random(SEED), Subjects()
    for t in range(firms):
        actor = Actor(f"rescreen-{t:03d}", "bench", "firm_admin")
        for p in range(practices):
            n = t * practices + p
            with app.unit_of_work() as unit:  # a practice and its clinicians in one transaction: a quicker set-up
                org = _practice(app, actor, n, day, rng, subjects)
                for c in range(CLINICIANS):
                    _clinician(app, actor, org, n * CLINICIANS + c, day, rng, subjects)
                app.commit(actor, unit)
        if (t + 1) % max(1, firms // 5) == 0:
            say(f"rescreen: {t + 1}/{firms} firms created")
    return subjects


def _write_edition(path: Path, rows: int, listed: list[list[str]]) -> None:
    write_leie(path, rows)
    with path.open("a", newline="") as file:
        for fields in listed:
            file.write(",".join(f'"{f}"' for f in fields) + "\r\n")


async def _import(url: str, path: Path, file_date: date, key: bytes) -> UUID:
    con = await asyncpg.connect(url)
    try:
        edition = await import_list(con, path, file_date=file_date, file_name=path.name, imported_by="bench", key=key)
        return edition.edition_id
    finally:
        await con.close()


def _load_all(app: Credledger, subjects: Subjects) -> float:
    """The baseline: every record the run screens, loaded as the run loads it; the seconds taken."""
    began = time.perf_counter()
    for kind, records in ((Organization, subjects.practices), (Practitioner, subjects.clinicians)):
        for tenant, record_id in records:
            app.load(Actor(tenant, "bench", "specialist"), kind, record_id)
    return time.perf_counter() - began


def _progress(label: str | None) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if label is not None and (done == total or done % max(1, total // 4) == 0):
            say(f"{label}: {done:,}/{total:,} records")

    return progress


def _screen(
    app: Credledger, url: str, edition: EditionRef, on: date, key: bytes, label: str | None
) -> tuple[float, RunTotals]:
    began = time.perf_counter()
    totals = rescreen(app, url, edition=edition, on=on, dob_key=key, tenant=None, progress=_progress(label))
    seconds = time.perf_counter() - began
    if totals.refused:
        raise RuntimeError(f"rescreen refused {len(totals.refused)} records, e.g. {totals.refused[0]}")
    return seconds, totals


def _totals(totals: RunTotals, seconds: float) -> dict[str, Any]:
    return {"seconds": seconds, "subjects": totals.subjects, "organizations": totals.organizations,
            "practitioners": totals.practitioners, "recorded": totals.recorded, "results": totals.results}  # fmt: skip


def _measure(ctx: Context, url: str) -> dict[str, Any]:
    firms, practices = SIZES.get(ctx.params.mode, SIZES["quick"])
    today = business_today()
    key = dob_key(ctx.infra.master_key)
    app = open_credledger(url, ctx.infra.master_key)
    try:
        say(f"rescreen: creating {firms} firms of {practices} practices through the application")
        began = time.perf_counter()
        subjects = _build(app, firms, practices, today - timedelta(days=200))
        build_s = time.perf_counter() - began
        path = ctx.infra.tmp / "rescreen-UPDATED.csv"
        say(f"rescreen: importing a {ctx.params.list_rows:,}-row edition, {len(subjects.listed)} rows naming subjects")
        _write_edition(path, ctx.params.list_rows, subjects.listed)
        edition_id = asyncio.run(_import(url, path, today, key))
        edition = edition_ref(url, edition_id)
        if edition is None:
            raise RuntimeError(f"edition {edition_id} imported but not found")
        baselines = [_load_all(app, subjects)]  # also warms the decoders, the tenants' keys and the buffers
        first_s, first = _screen(app, url, edition, today, key, "rescreen first run")
        seconds: list[float] = []
        for n in range(ROUNDS):
            baselines.append(_load_all(app, subjects))
            again_s, again = _screen(app, url, edition, today, key, None)
            seconds.append(again_s)
            say(f"rescreen round {n + 1}: loading the records {baselines[-1]:.2f} s, second run {again_s:.2f} s")
            if again.recorded:
                raise RuntimeError(f"the second run recorded {again.recorded} screenings: it should record none")
    finally:
        app.close()
    return {
        "subjects": subjects.count,
        "build_s": build_s,
        "first": _totals(first, first_s),
        "again": _totals(again, min(seconds)),
        "again_seconds": seconds,
        "baseline_seconds": baselines,
        "firms": firms,
        "practices": len(subjects.practices),
        "clinicians": len(subjects.clinicians),
        "listed_rows": len(subjects.listed),
    }


def run(ctx: Context) -> dict[str, Any]:
    url = ctx.infra.new_database("rescreen")
    try:
        migrate(url)
        m = _measure(ctx, url)
    finally:
        ctx.infra.drop_database(url)
    subjects, baseline_s = m["subjects"], min(m["baseline_seconds"])
    if m["first"]["subjects"] != subjects:
        raise RuntimeError(f"rescreen screened {m['first']['subjects']} subjects, {subjects} were created")
    figure, again, baseline = subjects / m["first"]["seconds"], subjects / m["again"]["seconds"], subjects / baseline_s
    return result(
        figure=figure,
        baseline=baseline,
        unit="subjects/s",
        better="higher",
        goal="reported (no goal set)",
        met=None,
        figure_text=f"{figure:,.0f} subjects/s (first run, all recorded)",
        baseline_text=f"{baseline:,.0f} subjects/s (loading the records)",
        details={
            **m,
            "figure_second_run": again,
            "ratio_second_run": round(again / baseline, 3),
            "build_commands_per_s": round((m["practices"] * (1 + len(PEOPLE)) + m["clinicians"]) / m["build_s"], 1),
            "table_notes": [
                f"second run, nothing recorded: {again:,.0f} subjects/s ({again / baseline:.2f}x the baseline); "
                f"{subjects:,} subjects in {m['practices'] + m['clinicians']:,} records of {m['firms']} firms"
            ],
        },
    )
