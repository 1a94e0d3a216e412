"""`credledger lists import FILE`, `lists screen --edition ID` and `lists editions`: the exclusion lists' files,
and the monthly re-screening against one.

Exit codes as in services/cli.py: 0 done (an import of a file imported before stores nothing and is done too), 1 a
rule refused the screening of some records (each named on stderr by firm, id and rule; the others were screened),
2 usage, 65 the file is not a list this service reads (the line and what is wrong on stderr; nothing stored), 78
missing configuration. A progress bar on stderr; the result on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

EX_USAGE = 2
EX_DATAERR = 65  # sysexits.h: the input data was incorrect
EX_CONFIG = 78


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from services.cli_data import add_data_dir_option

    lists = sub.add_parser("lists", help="exclusion lists (OIG LEIE, SAM.gov): import a file, list the editions")
    commands = lists.add_subparsers(dest="lists_command", required=True)
    load = commands.add_parser(
        "import",
        help="import an OIG LEIE file (UPDATED.csv or a monthly supplement) or a SAM.gov Exclusions extract",
        description="The layout is detected from the header. The same file twice is one edition; a malformed "
        "row stops the import, names its line and stores nothing.",
    )
    load.add_argument("file", type=Path)
    load.add_argument("--file-date", type=_day, help="the publisher's date of the file, YYYY-MM-DD (default: today)")
    load.add_argument("--screen", action="store_true", help="then screen every firm against it today (lists screen)")
    load.add_argument("--tenant", help="with --screen: only this firm")
    load.add_argument("--on", type=_day, help="with --screen: the day of the screening, YYYY-MM-DD (default: today)")
    add_data_dir_option(load)
    load.set_defaults(func=cmd_import)
    screen = commands.add_parser(
        "screen",
        help="screen every practice, the people it disclosed and every clinician against an edition (monthly)",
        description="Records a screening only where the result changed or the last one of that list is older "
        "than half the firm's screening interval (31 days unless set); a suspected match goes to the work queue for "
        "review, a confirmed one blocks submissions.",
    )
    screen.add_argument("--edition", required=True, type=UUID, help="the edition's id (credledger lists editions)")
    screen.add_argument("--on", type=_day, help="the day of the screening, YYYY-MM-DD (default: today)")
    screen.add_argument("--tenant", help="only this firm's practices")
    add_data_dir_option(screen)
    screen.set_defaults(func=cmd_screen)
    shown = commands.add_parser("editions", help="the editions imported, newest first")
    add_data_dir_option(shown)
    shown.set_defaults(func=cmd_editions)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_import(args: argparse.Namespace) -> int:
    from domain.business_time import business_today
    from domain.errors import DomainError
    from services.cli_data import external_settings

    if not args.file.is_file():
        print(f"credledger lists import: no file {args.file}", file=sys.stderr)
        return EX_USAGE
    if (args.tenant or args.on) and not args.screen:
        print("credledger lists import: --tenant and --on go with --screen", file=sys.stderr)
        return EX_USAGE
    settings = external_settings(args, needs_nats=False)
    if settings is None or settings.database_url is None:
        return EX_CONFIG
    try:
        edition = asyncio.run(
            _import(settings.database_url, args.file, args.file_date or business_today(), settings.resolve_master_key())
        )
    except DomainError as error:  # not a list, a malformed row, a file date in the future
        print(f"credledger lists import: {args.file}: {error}", file=sys.stderr)
        return EX_DATAERR
    what = "imported" if edition.created else "already imported, nothing stored"
    print(f"{edition.edition_id} {edition.source} {edition.file_date} {edition.row_count} rows sha256 {edition.sha256} "
          f"({what})", flush=True)  # fmt: skip
    if args.screen:  # the month's routine in one step: the new edition, then everyone against it
        return _screen(settings, edition.edition_id, args.on, args.tenant, "import")
    return 0


async def _import(database_url: str, path: Path, file_date: date, master_key: bytes):  # type: ignore[no-untyped-def]
    import asyncpg
    from tqdm import tqdm

    from domain.list_matching import dob_key
    from services.lists.importer import import_list

    con = await asyncpg.connect(database_url)
    try:
        with tqdm(desc="import", unit="row", unit_scale=True, file=sys.stderr) as bar:

            def progress(done: int, lines: int) -> None:
                bar.total = max(lines - 1, done)
                bar.update(done - bar.n)

            return await import_list(
                con, path, file_date=file_date, file_name=path.name, imported_by="cli", key=dob_key(master_key),
                progress=progress,
            )  # fmt: skip
    finally:
        await con.close()


def cmd_screen(args: argparse.Namespace) -> int:
    from services.cli_data import external_settings

    settings = external_settings(args, needs_nats=False)
    if settings is None or settings.database_url is None:
        return EX_CONFIG
    return _screen(settings, args.edition, args.on, args.tenant, "screen")


def _screen(settings: Any, edition_id: UUID, on: date | None, tenant: str | None, command: str) -> int:
    from tqdm import tqdm

    from domain.business_time import business_today
    from domain.list_matching import dob_key
    from services.composition import open_credledger
    from services.lists.screening import edition_ref, rescreen

    edition = edition_ref(settings.database_url, edition_id)
    if edition is None:
        print(f"credledger lists {command}: no edition {edition_id}", file=sys.stderr)
        return EX_USAGE
    app = open_credledger(settings.database_url, settings.resolve_master_key())
    try:
        with tqdm(desc="screen", unit="record", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            key = dob_key(settings.resolve_master_key())
            totals = rescreen(app, settings.database_url, edition, on or business_today(), key, tenant, progress)
    finally:
        app.close()
    results = ", ".join(f"{n} {result}" for result, n in sorted(totals.results.items()))
    print(f"{totals.organizations} practices, {totals.practitioners} clinicians, {totals.subjects} subjects screened "
          f"({results}); {totals.recorded} screenings recorded")  # fmt: skip
    for refusal in totals.refused:
        print(f"credledger lists {command}: refused for {refusal}", file=sys.stderr)
    return 1 if totals.refused else 0


def cmd_editions(args: argparse.Namespace) -> int:
    from services.cli_data import external_settings

    settings = external_settings(args, needs_nats=False)
    if settings is None or settings.database_url is None:
        return EX_CONFIG
    for e in asyncio.run(_editions(settings.database_url)):
        print(f"{e.edition_id} {e.source} {e.layout} {e.file_date} {e.row_count} rows {e.file_name} "
              f"imported {e.imported_at:%Y-%m-%d %H:%M} by {e.imported_by}")  # fmt: skip
    return 0


async def _editions(database_url: str):  # type: ignore[no-untyped-def]
    import asyncpg

    from services.lists.importer import editions

    con = await asyncpg.connect(database_url)
    try:
        return await editions(con)
    finally:
        await con.close()
