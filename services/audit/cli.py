"""`credledger verify [BUNDLE]` and `credledger export`: tamper evidence and audit bundles.

Exit codes as in services/cli.py: 0 verified / exported, 1 verification failed (or the export
could not be made), 2 usage, 78 missing configuration. Output names tenants, notification ids,
originator ids and versions only: never event content, so never PII.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

EX_USAGE = 2
EX_CONFIG = 78


def add_commands(sub: argparse._SubParsersAction) -> None:
    from services.cli_data import add_data_dir_option

    verify = sub.add_parser(
        "verify",
        help="check every tenant's event hash chain in the store, or an audit bundle offline",
        description="Without BUNDLE: walk the hash chain of every tenant's events (DATABASE_URL) and report "
        "the first broken link of each. With BUNDLE: check an export offline (no database).",
    )
    verify.add_argument("bundle", nargs="?", type=Path, help="an audit bundle (.tar) from `credledger export`")
    verify.add_argument("--tenant", help="only this tenant's chain (store mode)")
    add_data_dir_option(verify)
    verify.set_defaults(func=cmd_verify)

    export = sub.add_parser(
        "export",
        help="write an audit bundle: a tenant's events over a range of days, its views as of the end, a manifest",
    )
    export.add_argument("--tenant", required=True)
    export.add_argument("--from", dest="first_day", required=True, type=_day, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="last_day", required=True, type=_day, help="last day, YYYY-MM-DD (inclusive)")
    export.add_argument("--out", type=Path, help="the bundle file (default: credledger-audit-<tenant>-<from>-<to>.tar)")
    add_data_dir_option(export)
    export.set_defaults(func=cmd_export)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _database_url(args: argparse.Namespace) -> str | None:
    from services.cli_data import external_settings

    settings = external_settings(args, needs_nats=False)
    return None if settings is None else settings.database_url


def _bar(desc: str, total: int | None = None):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    # As `credledger rebuild` and `replay` show theirs: always, on stderr (stdout keeps the result lines), so
    # a long export or walk shows it is alive in a terminal and leaves its progress in a captured log too.
    return tqdm(total=total, desc=desc, unit="event", unit_scale=True, file=sys.stderr)


def cmd_verify(args: argparse.Namespace) -> int:
    if args.bundle is not None:
        if args.tenant:
            print("credledger verify: --tenant applies to the store, not to a bundle", file=sys.stderr)
            return EX_USAGE
        return _verify_bundle(args.bundle)
    database_url = _database_url(args)
    if database_url is None:
        return EX_CONFIG
    return _verify_store(database_url, args.tenant)


def _verify_store(database_url: str, tenant: str | None) -> int:
    import asyncio

    from services.store.chain import verify_store
    from services.store.head import store_head

    with _bar("verify", asyncio.run(store_head(database_url))) as bar:
        walkers = verify_store(database_url, tenant=tenant, progress=lambda nid: bar.update(nid - bar.n))
        bar.update(max(bar.total - bar.n, 0))  # walked to the end (it reports every few thousand rows only)
    broken = 0
    for w in walkers:
        if w.broken is None:
            head = f"head {w.head_id} {w.head.hex()}" if w.head_id is not None else "empty"
            print(f"{w.tenant_id}: ok, {w.events} events, {head}")
        else:
            broken += 1
            print(f"{w.tenant_id}: BROKEN at {w.broken}")
    if tenant is not None and not walkers:
        print(f"{tenant}: no events")
    print(f"{len(walkers) - broken} chain(s) intact, {broken} broken")
    return 1 if broken else 0


def _verify_bundle(path: Path) -> int:
    from services.audit.verify import verify_bundle

    if not path.is_file():
        print(f"credledger verify: no file {path}", file=sys.stderr)
        return EX_USAGE
    with _bar("verify") as bar:
        report = verify_bundle(path, progress=lambda n: bar.update(n - bar.n))
    m = report.manifest or {}
    if m:
        chain = m.get("chain", {})
        head = (
            f"head {chain.get('last_notification_id')} {chain.get('head_link')}"
            if report.events
            else f"the chain unchanged at link {chain.get('head_link')}"
        )
        print(f"{path}: tenant {m.get('tenant')}, {m.get('from')} to {m.get('to')}, {report.events} events, {head}")
    for problem in report.problems:
        print(f"FAILED: {problem}")
    print("bundle verified" if report.ok else "bundle verification FAILED")
    return 0 if report.ok else 1


def _export_usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line of `credledger export`, if anything."""
    from domain.base import check_tenant_id
    from domain.errors import InvalidValue
    from services.audit.export import range_problem

    try:
        check_tenant_id(args.tenant)
    except InvalidValue as error:
        return f"--tenant: {error}"
    wrong = range_problem(args.first_day, args.last_day)
    if wrong is not None:
        return f"--from/--to: {wrong}"
    if not _export_path(args).parent.is_dir():
        return f"no folder {_export_path(args).parent}"
    return None


def _export_path(args: argparse.Namespace) -> Path:
    return args.out or Path(f"credledger-audit-{args.tenant}-{args.first_day}-{args.last_day}.tar")


class _PhaseBars:
    """The export's progress: one bar per phase; the phases follow each other, one bar at a time on one line."""

    def __init__(self, tenant: str) -> None:
        self.names = {
            "scan": f"{tenant}: find the range",
            "events": "events in the range",
            "views": "views as of the end",
        }
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, n: int, total: int | None) -> None:
        if phase not in self.bars:  # (a bar with no total refuses bool())
            self.close()
            self.bars[phase] = _bar(self.names.get(phase, phase), total)
        bar = self.bars[phase]
        if bar.total is not None and n > bar.total:
            bar.total = n
        bar.update(n - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def cmd_export(args: argparse.Namespace) -> int:
    import asyncio

    from projections.engine.replay import SnapshotError
    from services.audit.export import ExportError, export_bundle

    problem = _export_usage_problem(args)
    if problem is not None:
        print(f"credledger export: {problem}", file=sys.stderr)
        return EX_USAGE
    database_url = _database_url(args)
    if database_url is None:
        return EX_CONFIG
    bars = _PhaseBars(args.tenant)
    try:
        done = asyncio.run(
            export_bundle(
                database_url,
                tenant=args.tenant,
                first_day=args.first_day,
                last_day=args.last_day,
                out=_export_path(args),
                progress=bars,
                require_events=True,  # a tenant id with no events at all is most likely mistyped
            )
        )
    except (ExportError, SnapshotError) as error:
        print(f"credledger export: {error}", file=sys.stderr)
        return 1
    finally:
        bars.close()
    _print_export_summary(args, done)
    return 0


def _print_export_summary(args: argparse.Namespace, done: Any) -> None:
    chain, files = done.manifest["chain"], done.manifest["files"]
    views = len(files) - 1
    if files["events.jsonl"]["count"] == 0:
        # An empty range is still a bundle and exit 0. Why: "nothing was recorded for this tenant in these
        # days" is an answer an auditor asks for, and this bundle proves it. Its chain starts and ends at the
        # same link, the tenant's link just before the range, which `credledger verify` on the store shows,
        # so events cannot have been left out; the views are the tenant's as of the end of the range. (A
        # tenant with no events at all is refused above instead: its bundle would prove nothing.)
        from services.store.chain import GENESIS

        start = " (its start: no event before the range)" if chain["head_link"] == GENESIS.hex() else ""
        print(
            f"wrote {done.path}: no events of tenant {args.tenant} from {args.first_day} to {args.last_day} "
            f"(Massachusetts days); the bundle shows the chain unchanged at link {chain['head_link']}{start} "
            f"and {views} view tables as of the end of {args.last_day}"
        )
        return
    print(
        f"wrote {done.path}: {files['events.jsonl']['count']} events "
        f"(notifications {chain['first_notification_id']} to {chain['last_notification_id']}), "
        f"{views} view tables; head link {chain['head_link']}"
    )
