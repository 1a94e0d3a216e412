"""What else ran on the machine while a scenario ran: the benchmarks share it with whatever else is there
(on a developer's machine: other test suites), and their figures are only as good as that is quiet."""

from __future__ import annotations

import os
import time
from typing import Any

import psutil

SHARED_SERVERS = ("postgres", "nats-server")  # used by the bench too: their CPU cannot be told apart


def _ours() -> set[int]:
    me = psutil.Process()
    return {me.pid} | {child.pid for child in me.children(recursive=True)}


def _cpu_by_process() -> dict[int, tuple[str, float]]:
    found = {}
    for process in psutil.process_iter(["pid", "name", "cmdline", "cpu_times"]):
        info = process.info
        times = info.get("cpu_times")
        if times is None:
            continue
        name = " ".join((info.get("cmdline") or [info.get("name") or "?"])[:2])[:80]
        found[info["pid"]] = (name, times.user + times.system)
    return found


class Noise:
    """CPU used meanwhile by processes that are neither this run's nor the shared servers."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.load_start = os.getloadavg()[0]
        self.before = _cpu_by_process()

    def report(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        ours = _ours()
        others: dict[str, float] = {}
        for pid, (name, cpu) in _cpu_by_process().items():
            if pid in ours or any(server in name for server in SHARED_SERVERS):
                continue
            used = cpu - self.before.get(pid, (name, 0.0))[1]
            if used > 0.05 * elapsed:  # more than 5% of a core
                others[name] = others.get(name, 0.0) + used
        return {
            "load_average_1min": [round(self.load_start, 2), round(os.getloadavg()[0], 2)],
            "other_processes_cpu_cores": round(sum(others.values()) / elapsed, 2),
            "busiest_other_processes": {
                name: round(cpu / elapsed, 2) for name, cpu in sorted(others.items(), key=lambda x: -x[1])[:3]
            },
        }
