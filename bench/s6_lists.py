"""6. Exclusion list import: rows per second from an OIG LEIE file into an edition.

Figure: `services.lists.importer.import_list` (what `credledger lists import` and POST /v1/exclusion-lists run)
on a generated file in the LEIE's layout (UPDATED.csv: 18 quoted columns, CRLF; full mode 80,000 rows, about the
real file's size; a mix of individuals with dates of birth and businesses, a quarter with NPIs): the SHA-256 pass,
every row read and checked (dates, NPI check digits), names normalised, dates of birth digested, COPY in
batches, in one transaction. Timed over the whole call, best of the rounds.

Baseline: a plain `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file into a table of 18 text columns,
in the same database, alternating with the figure's rounds: what loading the bytes alone costs.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.context import Context
from bench.infra import say
from bench.report import result
from domain.exclusion_lists import COLUMNS, Layout
from domain.list_matching import dob_key
from domain.npi import luhn_check_digit
from services.lists.importer import import_list
from services.migrate import migrate

_LAST = ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ")
FIRST_NAMES = ("JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "ELIZABETH")
_STATES = ("MA", "NY", "CA", "TX", "FL", "PA", "OH", "IL", "GA", "NC")


def _npi(rng: random.Random) -> str:
    body = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + str(luhn_check_digit("80840" + body))


def write_leie(path: Path, rows: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as file:
        file.write(",".join(COLUMNS[Layout.LEIE]) + "\r\n")
        for n in range(rows):
            person = rng.random() < 0.7
            excluded = date(1990, 1, 1) + timedelta(days=rng.randrange(12_000))
            fields = [
                rng.choice(_LAST) if person else "",
                rng.choice(FIRST_NAMES) if person else "",
                rng.choice("ABCDEFGH") if person else "",
                "" if person else f"{rng.choice(_LAST)} HEALTH SERVICES {n} INC",
                "IND- LIC HC SERV PRO" if person else "OTHER BUSINESS",
                "NURSE/NURSES AIDE" if person else "HOME HEALTH AGENCY",
                "",
                _npi(rng) if rng.random() < 0.25 else "0000000000",
                f"{date(1940, 1, 1) + timedelta(days=rng.randrange(20_000)):%Y%m%d}" if person else "",
                f"{rng.randrange(1, 9999)} MAIN ST",
                "SPRINGFIELD",
                rng.choice(_STATES),
                f"{rng.randrange(10**5):05d}",
                rng.choice(("1128a1", "1128a2", "1128b4", "1128b7")),
                f"{excluded:%Y%m%d}",
                f"{excluded + timedelta(days=2000):%Y%m%d}" if rng.random() < 0.05 else "00000000",
                "00000000",
                "",
            ]
            file.write(",".join(f'"{f}"' for f in fields) + "\r\n")


async def _rounds(url: str, path: Path, rounds: int, key: bytes) -> tuple[list[float], list[float], int]:
    con = await asyncpg.connect(url)
    try:
        columns = ", ".join(f'"{c.lower()}" text' for c in COLUMNS[Layout.LEIE])
        await con.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS bench_list_copy ({columns})")
        imports, copies, rows = [], [], 0
        for n in range(rounds):
            await con.execute("DELETE FROM exclusion_list_editions")  # the same file again imports anew
            began = time.perf_counter()
            edition = await import_list(
                con, path, file_date=date(2026, 11, 1), file_name=path.name, imported_by="bench", key=key
            )
            imports.append(time.perf_counter() - began)
            rows = edition.row_count
            await con.execute("TRUNCATE bench_list_copy")
            began = time.perf_counter()
            await con.copy_to_table("bench_list_copy", source=path, format="csv", header=True)
            copies.append(time.perf_counter() - began)
            say(f"lists round {n + 1}: import {imports[-1]:.2f} s, COPY {copies[-1]:.2f} s")
        return imports, copies, rows
    finally:
        await con.close()


def run(ctx: Context) -> dict[str, Any]:
    rows = ctx.params.list_rows
    path = ctx.infra.tmp / "UPDATED.csv"
    say(f"lists: writing a {rows:,}-row file in the LEIE layout")
    write_leie(path, rows)
    url = ctx.infra.new_database("lists")
    try:
        migrate(url)
        imports, copies, stored = asyncio.run(_rounds(url, path, ctx.params.list_rounds, dob_key(ctx.infra.master_key)))
    finally:
        ctx.infra.drop_database(url)
    figure, baseline = stored / min(imports), stored / min(copies)
    return result(
        figure=figure,
        baseline=baseline,
        unit="rows/s",
        better="higher",
        goal="reported (no goal set)",
        met=None,
        figure_text=f"{figure:,.0f} rows/s",
        baseline_text=f"{baseline:,.0f} rows/s (plain COPY)",
        details={
            "rows": stored,
            "file_bytes": path.stat().st_size,
            "import_seconds": imports,
            "copy_seconds": copies,
        },
    )
