"""`python -m bench [--quick] [--only SCENARIO ...] [--out PATH]`: every scenario beside its baseline,
in one process and one run; writes the JSON document and prints the table (see bench/README.md)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import time
import traceback
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench.context import FULL, QUICK, Context
from bench.infra import infrastructure, say
from bench.noise import Noise
from bench.report import clean, table, write_json

# Name -> module, in the order of the issue. They run in RUN_ORDER: the rebuild replaces the views'
# tables, so it comes after the dashboards have measured the live projection's catch-up.
SCENARIOS = {
    "commands": "bench.s1_commands",
    "freshness": "bench.s2_freshness",
    "relay": "bench.s3_relay",
    "rebuild": "bench.s4_rebuild",
    "dashboard": "bench.s5_dashboard",  # also writes "worker_memory"
    "lists": "bench.s6_lists",
    "rescreen": "bench.s7_rescreen",
}
ORDER_IN_DOCUMENT = ("commands", "freshness", "relay", "rebuild", "dashboard", "worker_memory", "lists", "rescreen")
RUN_ORDER = ("commands", "freshness", "relay", "dashboard", "rebuild", "lists", "rescreen")
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes on a 2-core machine")
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), help="run only this scenario (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the JSON document (default {DEFAULT_OUT})")
    parser.add_argument("--events", type=int, help="events in the loaded history (quick 8,500; full 1,000,000)")
    parser.add_argument("--tenants", type=int, help="tenants in the loaded history (quick 2; full 100)")
    parser.add_argument("--seconds", type=float, help="measuring window of the load scenarios (quick 10; full 60)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    params = QUICK if args.quick else FULL
    overrides = {"history_events": args.events, "history_tenants": args.tenants, "measure_s": args.seconds}
    if args.seconds:
        overrides["freshness_s"] = args.seconds
    params = replace(params, **{k: v for k, v in overrides.items() if v})
    selected = [name for name in RUN_ORDER if not args.only or name in args.only]
    started = time.monotonic()
    document: dict[str, Any] = {"mode": params.mode, "params": asdict(params), "scenarios": {}}
    failed = False
    with infrastructure() as infra:
        document["machine"] = infra.machine()
        document["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        ctx = Context(infra, params)
        try:
            for name in selected:
                say(f"=== {name} ===")
                t0 = time.monotonic()
                noise = Noise()
                try:
                    entry = importlib.import_module(SCENARIOS[name]).run(ctx)
                except KeyboardInterrupt:
                    raise
                except Exception as error:
                    failed = True
                    traceback.print_exc()
                    entry = {"error": f"{type(error).__name__}: {error}"[:500]}
                seconds = round(time.monotonic() - t0, 1)
                machine_noise = noise.report()
                for key, value in entry.pop("_entries", {name: entry}).items():
                    value["seconds"] = seconds
                    value["machine_noise"] = machine_noise
                    document["scenarios"][key] = value
                    ctx.results[key] = value
                _write(args.out, document, started)
        finally:
            if ctx.history is not None:
                ctx.history.close()
            ctx.stop_live_stack()
    document["scenarios"] = {n: document["scenarios"][n] for n in ORDER_IN_DOCUMENT if n in document["scenarios"]}
    document["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _write(args.out, document, started)
    print(table(document))
    print(f"\n{params.mode} mode, {document['total_seconds']:.0f}s; written to {args.out}")
    return 1 if failed else 0


def _write(path: Path, document: dict[str, Any], started: float) -> None:
    document["total_seconds"] = round(time.monotonic() - started, 1)
    write_json(path, clean(document))


if __name__ == "__main__":
    sys.exit(main())
