"""Running a plan against a target: references resolved from the ids earlier steps saved, refusals counted by
rule, progress reported."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from services.workload.plan import Ref, Step
from services.workload.targets import Refused, Target


@dataclass
class Summary:
    commands: int  # steps run (accepted and refused)
    refused: int  # of them, refused by the domain (nothing stored)
    by_command: dict[str, int]  # steps run per use case, by its name
    elapsed_seconds: float
    refused_rules: dict[str, int] = field(default_factory=dict)  # "use_case/rule" -> count
    unexpected_refusals: int = 0  # refused although the plan did not mean them to be (a planner bug)
    ids: dict[tuple[str, Ref], UUID] = field(default_factory=dict, repr=False)  # (tenant, ref) -> saved id

    @property
    def commands_per_second(self) -> float:
        return self.commands / self.elapsed_seconds if self.elapsed_seconds else 0.0


class _Tally:
    def __init__(self) -> None:
        self.commands = self.refused = self.unexpected = 0
        self.by_command: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()


def run_plan(
    plan: Iterable[Step],
    target: Target,
    progress: Callable[[int, int], None] | None = None,
    *,
    workers: int = 1,
) -> Summary:
    """Run the steps in order. ``progress(done, total)`` is called every ~0.1% of the plan and at the end (for a
    plan without a length, e.g. ``Simulation.iter_plan()``, every 1,000 steps and at the end, with total 0).
    With ``workers`` > 1, tenants run in parallel threads, each tenant's steps still in order (tenants share
    nothing)."""
    total = len(plan) if isinstance(plan, Sized) else 0
    every = max(1, total // 1000) if total else 1000
    ids: dict[tuple[str, Ref], UUID] = {}
    lock = threading.Lock()
    done, reported = [0], [0]
    started = time.perf_counter()

    def run(part: Iterable[Step]) -> _Tally:
        tally = _Tally()
        for step in part:
            _run_step(step, target, ids, tally)
            if progress is not None:
                with lock:
                    done[0] += 1
                    if done[0] % every == 0:
                        reported[0] = done[0]
                        progress(done[0], total)
        return tally

    if workers <= 1:
        tallies = [run(plan)]  # streamed: a generator (Simulation.iter_plan) is never held whole
    else:
        by_tenant: dict[str, list[Step]] = {}
        for step in plan:
            by_tenant.setdefault(step.tenant, []).append(step)
        parts: list[list[Step]] = [[] for _ in range(min(workers, len(by_tenant)) or 1)]
        for i, tenant_steps in enumerate(by_tenant.values()):
            parts[i % len(parts)].extend(tenant_steps)
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            tallies = list(pool.map(run, parts))
    if progress is not None and reported[0] != done[0]:
        progress(done[0], total)  # the end, always reported
    by_command: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for tally in tallies:
        by_command.update(tally.by_command)
        rules.update(tally.rules)
    return Summary(
        commands=sum(t.commands for t in tallies),
        refused=sum(t.refused for t in tallies),
        by_command=dict(sorted(by_command.items())),
        elapsed_seconds=time.perf_counter() - started,
        refused_rules=dict(rules.most_common()),
        unexpected_refusals=sum(t.unexpected for t in tallies),
        ids=ids,
    )


def _resolve(value: Any, tenant: str, ids: dict[tuple[str, Ref], UUID]) -> Any:
    return ids[(tenant, value)] if isinstance(value, Ref) else value


def _run_step(step: Step, target: Target, ids: dict[tuple[str, Ref], UUID], tally: _Tally) -> None:
    tally.commands += 1
    tally.by_command[step.name] += 1
    try:
        resolved_ids = tuple(_resolve(value, step.tenant, ids) for value in step.ids)
        fields = {name: _resolve(value, step.tenant, ids) for name, value in step.fields.items()}
    except KeyError:  # an earlier step that should have created it was refused
        rule = "unresolved-reference"
    else:
        try:
            saved = target.execute(step, resolved_ids, fields)
        except Refused as refusal:
            rule = refusal.rule
        else:
            if step.creates is not None:
                ids[(step.tenant, step.creates)] = saved
            if step.refusal is not None:
                tally.unexpected += 1  # meant to be refused, but accepted
                tally.rules[f"{step.name}/accepted-unexpectedly"] += 1
            return
    tally.refused += 1
    tally.rules[f"{step.name}/{rule}"] += 1
    if rule != step.refusal:
        tally.unexpected += 1
