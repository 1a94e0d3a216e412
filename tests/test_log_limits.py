"""Repeated warnings of a failing dependency: one line per interval with a count, the traceback once."""

from __future__ import annotations

import logging

from services.log_limits import RepeatLimiter


def _record(msg: str, level: int = logging.ERROR, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, None) if error else None
    return logging.LogRecord("nats.aio.client", level, __file__, 1, msg, (), exc_info)


def test_a_repeated_error_is_one_line_per_interval_with_a_count() -> None:
    now = [0.0]
    limiter = RepeatLimiter(interval=30, clock=lambda: now[0])
    first = _record("nats: encountered error", error=ConnectionRefusedError())
    assert limiter.filter(first) and first.exc_info is not None  # the first, whole
    for second in range(1, 30):
        now[0] = float(second)
        assert not limiter.filter(_record("nats: encountered error", error=ConnectionRefusedError()))
    now[0] = 31.0
    summary = _record("nats: encountered error", error=ConnectionRefusedError())
    assert limiter.filter(summary)
    assert summary.exc_info is None and "repeated 29 more time(s)" in summary.getMessage()
    # Another error, or the same text with another exception, or an INFO line, is not held back.
    assert limiter.filter(_record("nats: encountered error", error=TimeoutError()))
    assert limiter.filter(_record("relay failed (%s)"))
    assert all(limiter.filter(_record("started", logging.INFO)) for _ in range(3))
    # After a quiet interval the next one is whole again, traceback included.
    now[0] = 100.0
    again = _record("nats: encountered error", error=ConnectionRefusedError())
    assert limiter.filter(again) and again.exc_info is not None


def test_alerts_are_never_held_back() -> None:
    """Each parked event is its own ALERT (one per view and event, same template): an operator sees every one."""
    limiter = RepeatLimiter(interval=30, clock=lambda: 0.0)
    alert = "ALERT projection %s: parked stream message %s (%s); see parked_events"
    for view in ("affiliation_status", "access_audit", "turnaround"):
        record = logging.LogRecord(
            "projections.engine.worker", logging.ERROR, __file__, 1, alert, (view, 1, "KeyError"), None
        )
        assert limiter.filter(record) and view in record.getMessage()


def test_one_failing_component_does_not_hide_another() -> None:
    """Same template, another component (its first argument): each one's first line is written."""
    limiter = RepeatLimiter(interval=30, clock=lambda: 0.0)

    def failed(component: str) -> logging.LogRecord:
        args = (component, "X")
        return logging.LogRecord("services.supervise", logging.ERROR, __file__, 1, "%s failed (%s)", args, None)

    assert limiter.filter(failed("relay"))
    assert limiter.filter(failed("affiliation_status"))
    assert not limiter.filter(failed("relay"))  # the same one again within the interval: counted, not written
