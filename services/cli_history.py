"""The command line's history commands: replaying the views as of a business day into snapshots, and importing
a client's history (onboarding) as one batch of dated commands."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path

from services.cli_data import add_data_dir_option, external_settings

EX_USAGE = 2
EX_DATAERR = 65  # sysexits: the input file is not a batch
EX_CONFIG = 78


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = sub.add_parser(
        "replay", help="rebuild the views as of a past business day into a named, read-only snapshot"
    )
    replay.add_argument(
        "--as-of", required=True, type=_as_of, help="a business day (YYYY-MM-DD): the facts effective by its end"
    )
    replay.add_argument(
        "--known-at",
        type=_known_at,
        help="only the facts recorded by this moment (a timestamp with its offset, or a date: its end); "
        "default: every fact recorded so far",
    )
    replay.add_argument("--tenant", help="only this tenant's events (default: every tenant)")
    replay.add_argument("--name", help="the snapshot's name (default: asof_<date>_<time>[_<tenant>])")
    add_data_dir_option(replay)
    replay.set_defaults(func=cmd_replay)
    snapshots = sub.add_parser("snapshots", help="list the views' snapshots, or drop one")
    snapshots.add_argument("--drop", metavar="NAME", help="drop this snapshot")
    add_data_dir_option(snapshots)
    snapshots.set_defaults(func=cmd_snapshots)
    onboard = sub.add_parser(
        "import", help="import a client's history (onboarding): a batch of dated commands, all stored or none"
    )
    onboard.add_argument("file", type=Path, help='the batch: JSON ({"commands": [...]}) or CSV (use,ref,path,body)')
    onboard.add_argument("--tenant", required=True, help="the firm it is imported for")
    onboard.add_argument("--user", default="import", help="who is recorded as acting (default: import)")
    onboard.add_argument("--dry-run", action="store_true", help="check the whole batch; store nothing")
    add_data_dir_option(onboard)
    onboard.set_defaults(func=cmd_import)


def _as_of(text: str) -> date:
    """A business day: a date, or the Massachusetts day of an ISO 8601 timestamp with its offset."""
    from domain.business_time import parse_business_day

    try:
        return parse_business_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _known_at(text: str) -> datetime:
    """A recording moment: an ISO 8601 timestamp with its offset, or a date (its end, Massachusetts time)."""
    from domain.business_days import MASSACHUSETTS

    if len(text) == 10:
        return datetime.combine(_as_of(text), time.max, tzinfo=MASSACHUSETTS)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD) or an ISO 8601 timestamp: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("a timestamp needs its UTC offset, e.g. 2026-04-30T17:00:00-04:00")
    return moment


def cmd_replay(args: argparse.Namespace) -> int:
    import asyncio

    from tqdm import tqdm

    from projections.engine.replay import SnapshotError, replay_views
    from services.store.head import store_head

    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    known = f"_known_{args.known_at:%Y%m%d_%H%M}" if args.known_at else ""
    tenant = f"_{args.tenant.replace('-', '_')}" if args.tenant else ""
    name = args.name or f"asof_{args.as_of:%Y%m%d}{known}{tenant}"
    total = asyncio.run(store_head(settings.database_url))  # type: ignore[arg-type]
    with tqdm(total=total, desc=f"replay {name}", unit="event", unit_scale=True, file=sys.stderr) as bar:
        try:
            done = asyncio.run(
                replay_views(
                    settings.database_url,  # type: ignore[arg-type]
                    name=name,
                    as_of=args.as_of,
                    known_at=args.known_at,
                    tenant=args.tenant,
                    progress=lambda read: bar.update(read - bar.n),
                )
            )
        except SnapshotError as error:
            print(f"credledger replay: {error}", file=sys.stderr)
            return 1
    print(
        f"snapshot {done.name}: the views as of {done.as_of.isoformat()}"
        + (f" as known at {done.known_at.isoformat()}" if done.known_at else "")
        + f" ({done.events_applied} events applied); "
        f"read it with ?snapshot={done.name}"
    )
    return 0


def cmd_snapshots(args: argparse.Namespace) -> int:
    import asyncio

    from projections.engine.replay import SnapshotError, drop_snapshot, list_snapshots

    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    if args.drop:
        try:
            dropped = asyncio.run(drop_snapshot(settings.database_url, args.drop))  # type: ignore[arg-type]
        except SnapshotError as error:
            print(f"credledger snapshots: {error}", file=sys.stderr)
            return EX_USAGE
        if not dropped:
            print(f"credledger snapshots: no snapshot named {args.drop!r}", file=sys.stderr)
            return 1
        print(f"dropped snapshot {args.drop}")
        return 0
    for row in asyncio.run(list_snapshots(settings.database_url)):  # type: ignore[arg-type]
        print(
            f"{row['name']}\t{row['as_of'].isoformat()}\t{row['tenant_id'] or 'all tenants'}\t{row['events_applied']}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """0: imported (or, with --dry-run, it would be); 1: a command was refused (nothing stored); 65: not a batch."""
    import msgspec
    from tqdm import tqdm

    from services.app.base import Actor
    from services.app.onboarding import BatchRefused, parse_batch, run_batch
    from services.composition import open_credledger

    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    try:
        batch = parse_batch(args.file.read_bytes(), csv_format=args.file.suffix.lower() == ".csv", dry_run=args.dry_run)
    except (OSError, ValueError) as error:
        print(f"credledger import: {args.file}: {error}", file=sys.stderr)
        return EX_DATAERR
    app = open_credledger(settings.database_url, settings.resolve_master_key())  # type: ignore[arg-type]
    try:
        with tqdm(total=len(batch.commands), desc="import", unit="command", file=sys.stderr) as bar:
            done = run_batch(
                app, Actor(args.tenant, args.user, "firm_admin"), batch, lambda n, _: bar.update(n - bar.n)
            )
    except BatchRefused as error:
        print(f"credledger import: {error.message} [{error.rule}]; nothing was stored", file=sys.stderr)
        return 1
    finally:
        app.close()
    print(msgspec.json.encode(done).decode())
    return 0
