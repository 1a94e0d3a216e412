"""The credledger command line: up, token, migrate, relay, project."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from uuid import UUID

from services.audit.cli import add_commands as add_audit_commands
from services.cli_data import add_data_dir_option, client_settings, external_settings
from services.cli_history import add_commands as add_history_commands
from services.config import Settings
from services.lists.cli import add_commands as add_lists_commands
from services.logs import ENV as LOG_FORMAT_ENV
from services.logs import FORMATS, configure_logging

EX_USAGE = 2
EX_TEMPFAIL = 75  # sysexits.h: try again later (the data folder is in use)
EX_CONFIG = 78  # sysexits.h EX_CONFIG


def _banner(settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    data_dir = f" --data-dir {settings.data_dir}" if "--data-dir" in sys.argv else ""
    if os.environ.get(LOG_FORMAT_ENV) == "json":  # for a log collector: one more JSON line, not a text block
        logging.getLogger(__name__).info(
            "credledger is up", extra={"api": f"{base}/v1", "dashboard": f"{base}/", "health": f"{base}/health/ready"}
        )
        return
    print(
        f"\ncredledger is up.\n"
        f"  Dashboard: {base}/  (sign in with a token)\n"
        f"  API:      {base}/v1\n"
        f"  OpenAPI:  {base}/schema/openapi.json  (docs: {base}/schema)\n"
        f"  Health:   {base}/health/ready\n"
        f"  Token:    credledger token --tenant demo --role firm_admin{data_dir}\n"
        f"            paste it into the dashboard, or send 'Authorization: Bearer <token>'\n"
        f"Press Ctrl-C to stop.\n",
        flush=True,
    )


def cmd_up(args: argparse.Namespace) -> int:
    from services.cli_data import announce, withdraw
    from services.runtime import DataDirInUse, serve

    settings = Settings.from_env(data_dir=args.data_dir, host=args.host, port=args.port)
    note: list[Path | None] = []

    def ready(resolved: Settings) -> None:
        # Noted only once the API listens: an `up` refused its port must not claim it.
        note.append(announce(resolved))
        _banner(resolved)

    try:
        serve(settings, demo=args.demo, on_ready=ready)
    except DataDirInUse as error:
        print(f"credledger up: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    finally:
        for path in note:
            withdraw(path)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from domain.errors import InvalidValue
    from services.api.auth import issue_token
    from services.cli_data import folders_served

    settings, source = client_settings(args.data_dir)
    if source.startswith("the credledger up"):
        print(f"credledger token: signed for {source} (data folder {settings.data_dir})", file=sys.stderr)
    elif not settings.jwt_secret and settings.data_dir.resolve() not in folders_served():
        # Still printed (a token for an `up` about to start there is fine), but a 401 should not surprise.
        print(
            f"credledger token: no running credledger up uses {settings.data_dir}; the token is signed with "
            "that folder's secret (give the --data-dir the service was started with)",
            file=sys.stderr,
        )
    try:
        token = issue_token(
            settings.resolve_jwt_secret(),
            tenant=args.tenant,
            role=args.role,
            user=args.user,
            organizations=args.org,
            ttl_seconds=args.ttl,
        )
    except InvalidValue as error:
        print(f"credledger token: --{error.field}: {error.message}", file=sys.stderr)
        return EX_USAGE
    print(token)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from services.migrate import migrate

    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    applied = migrate(settings.database_url)  # type: ignore[arg-type]
    print("applied: " + (", ".join(applied) if applied else "nothing, up to date"))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from services.runtime import run, run_loop

    settings = external_settings(args)
    if settings is None:
        return EX_CONFIG
    if getattr(args, "with_parent", False):
        from services.worker_process import watch_parent

        watch_parent()
    relay = args.command in ("relay", "workers")
    projections = args.command in ("project", "workers")
    run_loop(run(settings, api=False, relay=relay, projections=projections))
    return 0


def cmd_parked(args: argparse.Namespace) -> int:
    import asyncio

    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    return asyncio.run(_parked(settings.database_url, args.retry, args.discard_unknown))  # type: ignore[arg-type]


async def _parked(database_url: str, retry: bool, discard: bool) -> int:
    from projections.engine.parked import discard_unknown, list_parked, retry_parked
    from projections.engine.registry import projection_modules
    from services.messaging import singleton

    db = await singleton.connect(database_url)
    try:
        await db.execute("SET ROLE credledger_worker")
        if discard:
            print(f"discarded {await discard_unknown(db)} parked message(s) that are not credledger events")
        failing = 0
        if retry:
            for module in projection_modules():
                retried, failed = await retry_parked(db, module)
                failing += failed
                print(f"{module.name}: re-applied {retried} parked aggregate(s) from the store, {failed} still failing")
        rows = await list_parked(db)
        for r in rows:
            print(
                f"{r['projection']}\tseq {r['stream_sequence']}\t{r['tenant_id']}\t{r['originator_id']}"
                f" v{r['originator_version']}\t{r['subject']}\t{r['error']}\t{r['parked_at']:%Y-%m-%d %H:%M:%S}"
            )
        print(f"{len(rows)} parked event(s)")
        return 1 if failing else 0
    finally:
        await db.close()


def cmd_rebuild(args: argparse.Namespace) -> int:
    import asyncio

    from projections.engine.registry import NAMES

    if args.projection is not None and args.projection not in NAMES:
        print(f"credledger rebuild: no view named {args.projection!r}; views: {', '.join(NAMES)}", file=sys.stderr)
        return EX_USAGE
    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    return asyncio.run(_rebuild(settings.database_url, args.projection))  # type: ignore[arg-type]


async def _rebuild(database_url: str, only: str | None) -> int:
    from tqdm import tqdm

    from projections.engine.rebuild import RebuildBusy, RebuildFailed, rebuild_views
    from projections.engine.registry import projection_modules
    from services.store.head import store_head

    modules = projection_modules(only)
    total = await store_head(database_url)
    # Every view in one pass over the store (each event read and decoded once), swapped in together.
    desc = ", ".join(module.name for module in modules)
    with tqdm(total=total, desc=desc, unit="event", unit_scale=True, file=sys.stderr) as bar:

        def progress(read: int) -> None:
            bar.total = max(bar.total, read)
            bar.update(read - bar.n)

        try:
            rebuilt = await rebuild_views(database_url, modules, progress=progress)
        except RebuildBusy as error:
            print(f"credledger rebuild: {error}", file=sys.stderr)
            return EX_TEMPFAIL
        except RebuildFailed as error:
            print(f"credledger rebuild: {error}; the live views are unchanged", file=sys.stderr)
            return 1
    for done in rebuilt:
        print(
            f"{done.view}: rebuilt from {done.events_read} stored events ({done.events_applied} applied), "
            f"up to position {done.position}"
        )
    return 0


def cmd_shred(args: argparse.Namespace) -> int:
    from services.store.pii import destroy_tenant_key

    if args.tenant != args.confirm:
        print(
            "credledger shred: this erases the tenant's personal data for good; "
            f"repeat the tenant id: --confirm {args.tenant}",
            file=sys.stderr,
        )
        return EX_USAGE
    settings = external_settings(args, needs_nats=False)
    if settings is None:
        return EX_CONFIG
    if destroy_tenant_key(settings.database_url, args.tenant):  # type: ignore[arg-type]
        print(f"{args.tenant}: data key destroyed; its personal data now reads as [redacted] everywhere")
    else:
        print(f"{args.tenant}: the data key was already destroyed")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="credledger", description="Event-sourced credentialing records.")
    log_format = {"choices": FORMATS, "help": "log lines as text (default) or JSON lines, with each request's id"}
    p.add_argument("--log-format", **log_format)  # type: ignore[arg-type]
    sub = p.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the API, the relay and the projections (embedded services by default)")
    # Also after `up` (where users look for it); SUPPRESS keeps the subcommand from resetting the main option.
    up.add_argument("--log-format", default=argparse.SUPPRESS, **log_format)  # type: ignore[arg-type]
    up.add_argument("--data-dir", type=Path, help="where embedded PostgreSQL/NATS and the token secret live")
    up.add_argument("--host", help="API bind address (default 127.0.0.1)")
    up.add_argument("--port", type=int, help="API port (default 8000)")
    up.add_argument("--demo", action="store_true", help="load a demo credentialing firm (tenant 'demo') first")
    up.set_defaults(func=cmd_up)

    token = sub.add_parser("token", help="print a bearer token")
    token.add_argument("--tenant", required=True)
    token.add_argument(
        "--role", required=True, choices=["firm_admin", "specialist", "viewer", "auditor", "client_viewer"]
    )
    token.add_argument("--user", default="cli-user", help="the user id recorded as the actor")
    token.add_argument("--org", type=UUID, action="append", default=[], help="client_viewer: an organization id")
    token.add_argument("--ttl", type=int, default=12 * 3600, help="lifetime in seconds")
    add_data_dir_option(token)
    token.set_defaults(func=cmd_token)
    _add_store_commands(sub)
    add_audit_commands(sub)  # verify, export
    add_lists_commands(sub)  # lists import, lists editions
    return p


def _add_store_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The commands that work on a running store: migrations, workers, parked events, rebuilds, replays."""
    for name, text, func in (
        ("migrate", "apply database migrations (DATABASE_URL)", cmd_migrate),
        ("relay", "run only the relay (DATABASE_URL, NATS_URL)", cmd_worker),
        ("project", "run only the projection workers (DATABASE_URL, NATS_URL)", cmd_worker),
    ):
        s = sub.add_parser(name, help=text)
        add_data_dir_option(s)
        s.set_defaults(func=func)
    workers = sub.add_parser("workers", help="run the relay and the projection workers (what `up` runs beside its API)")
    add_data_dir_option(workers)
    workers.add_argument("--with-parent", action="store_true", help="stop when standard input closes (used by `up`)")
    workers.set_defaults(func=cmd_worker)
    parked = sub.add_parser("parked", help="list events the projections parked; retry them once fixed")
    parked.add_argument("--retry", action="store_true", help="re-apply parked aggregates from the event store")
    parked.add_argument("--discard-unknown", action="store_true", help="drop parked messages that are not events")
    add_data_dir_option(parked)
    parked.set_defaults(func=cmd_parked)
    rebuild = sub.add_parser(
        "rebuild", help="rebuild views from the event store into new tables, swapped in once caught up"
    )
    rebuild.add_argument("--projection", help="only this view (default: every view)")
    add_data_dir_option(rebuild)
    rebuild.set_defaults(func=cmd_rebuild)
    shred = sub.add_parser("shred", help="destroy a tenant's data key: its personal data is erased for good")
    shred.add_argument("--tenant", required=True)
    shred.add_argument("--confirm", required=True, metavar="TENANT", help="the tenant id again")
    add_data_dir_option(shred)
    shred.set_defaults(func=cmd_shred)
    add_history_commands(sub)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(args.log_format)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
