"""Figures, percentiles, the JSON document and the printed table."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def pct(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks; nan for no values."""
    data = sorted(values)
    if not data:
        return math.nan
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def latency_ms(seconds: list[float]) -> dict[str, float | int]:
    """p50 / p90 / p99 / max / mean of latencies given in seconds, in milliseconds."""
    if not seconds:
        return {"n": 0}
    return {
        "n": len(seconds),
        "p50_ms": round(pct(seconds, 50) * 1000, 2),
        "p90_ms": round(pct(seconds, 90) * 1000, 2),
        "p99_ms": round(pct(seconds, 99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 2),
    }


def ratio(figure: float, baseline: float) -> float | None:
    if not baseline or figure is None or math.isnan(figure) or math.isnan(baseline):
        return None
    return round(figure / baseline, 3)


def result(
    *,
    figure: float,
    baseline: float,
    unit: str,
    better: str,
    goal: str,
    met: bool | None,
    figure_text: str,
    baseline_text: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    """One scenario's entry: its figure, its baseline's figure in the same unit, and figure / baseline.

    ``better`` says which way is good: "higher" (a rate) or "lower" (a latency, a size)."""
    return {
        "figure": figure,
        "baseline": baseline,
        "ratio": ratio(figure, baseline),
        "unit": unit,
        "better": better,
        "goal": goal,
        "met": met,
        "figure_text": figure_text,
        "baseline_text": baseline_text,
        "details": details,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, default=str, allow_nan=False) + "\n")
    tmp.replace(path)


def _cell(text: Any, width: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def table(document: dict[str, Any]) -> str:
    columns = (("scenario", 10), ("figure", 44), ("baseline", 44), ("ratio", 7), ("goal", 38), ("met", 5))
    lines = ["  ".join(name.ljust(width) for name, width in columns)]
    lines.append("  ".join("-" * width for _, width in columns))
    for name, entry in document["scenarios"].items():
        if "error" in entry:
            cells = (name, "ERROR: " + entry["error"], "", "", "", "")
        else:
            r = entry.get("ratio")
            met = entry.get("met")
            cells = (
                name,
                entry.get("figure_text"),
                entry.get("baseline_text"),
                "" if r is None else f"{r:.2f}x",
                entry.get("goal"),
                "-" if met is None else ("yes" if met else "NO"),
            )
        lines.append("  ".join(_cell(c, w).ljust(w) for c, (_, w) in zip(cells, columns, strict=True)))
        for extra in (entry.get("details") or {}).get("table_notes", []):
            lines.append(" " * 12 + extra)
        noise = entry.get("machine_noise") or {}
        if noise.get("other_processes_cpu_cores", 0) >= 0.2:
            lines.append(
                " " * 12 + f"(meanwhile other processes on the machine used {noise['other_processes_cpu_cores']} "
                f"cores; load average {noise['load_average_1min'][0]} -> {noise['load_average_1min'][1]})"
            )
    return "\n".join(lines)


def clean(value: Any) -> Any:
    """NaN and infinities as null, so the JSON stays standard."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value
