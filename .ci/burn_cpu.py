"""Keep every core busy for a bounded time: the load another job puts on a shared CI machine.

    python .ci/burn_cpu.py --seconds 1800 [--processes N]

One busy process per core (or N), at normal priority (another job competes as an equal), each ending by
itself after --seconds, or on SIGTERM/SIGINT. Used by .ci/stress to run the test suite under load."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
import time


def _burn(until: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    x = 0
    while time.monotonic() < until:
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, required=True, help="stop after this long (bounded)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="busy processes (default: cores)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 4 * 3600:
        parser.error("--seconds must be between 0 and 4 hours")
    until = time.monotonic() + args.seconds
    workers = [multiprocessing.Process(target=_burn, args=(until,), daemon=True) for _ in range(args.processes)]
    for worker in workers:
        worker.start()

    def stop(*_: object) -> None:
        for worker in workers:
            worker.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
