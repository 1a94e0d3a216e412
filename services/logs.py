"""How every credledger process logs: plain lines for a person at a terminal, or JSON lines (``--log-format json``,
or CREDLEDGER_LOG_FORMAT=json, which the workers' child inherits) for a log collector. Each line written while an
HTTP request runs carries the request's id (services/api/observability.py)."""

from __future__ import annotations

import logging
import os
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

FORMATS = ("text", "json")
ENV = "CREDLEDGER_LOG_FORMAT"
# Set by the API for the request being served; None elsewhere (the workers, the command line).
REQUEST_ID: ContextVar[str | None] = ContextVar("credledger_request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(log_format: str | None = None) -> str:
    """Configure the root logger once for the process; returns the format used. The access log (one line per HTTP
    request) is written in JSON mode, where a collector keeps it; a terminal gets only warnings from it."""
    chosen = log_format or os.environ.get(ENV) or "text"
    if chosen not in FORMATS:
        raise ValueError(f"{ENV} must be one of {', '.join(FORMATS)}")
    os.environ[ENV] = chosen  # the workers' child process logs the same way
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if chosen == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("credledger.access").setLevel(logging.INFO if chosen == "json" else logging.WARNING)
    return chosen
