"""The views: which projection modules exist, and the DDL each one owns (``<module>.sql``)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

NAMES = ("affiliation_status", "access_audit", "turnaround")


def projection_modules(only: str | None = None) -> list[ModuleType]:
    if only is not None and only not in NAMES:
        raise KeyError(only)
    return [importlib.import_module(f"projections.{name}") for name in NAMES if only in (None, name)]


def ddl(module: ModuleType) -> str:
    """The projection's tables, policies and grants, with unqualified names: run with
    search_path set to the schema to create them in (public live, a fresh one to rebuild)."""
    return Path(module.__file__).with_suffix(".sql").read_text()  # type: ignore[arg-type]


def tables(module: ModuleType) -> list[str]:
    """The tables the projection's DDL creates, in order."""
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl(module))
