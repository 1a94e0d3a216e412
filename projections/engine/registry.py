"""The views: which projections exist, and the DDL each one owns.

Each view is a folder of ``projections``: ``handlers.py`` (the module loaded here: its ``name``, the aggregate
kinds it consumes, its row types and handler table), ``schema.sql`` (its tables) and ``queries.py`` (its reads).
A view's name is stored in the tracking tables, in NATS consumer names and in migrations: it is the folder's
name, and ``handlers.name`` says it again.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from pathlib import Path
from types import ModuleType

NAMES = ("affiliation_status", "access_audit", "turnaround", "expirables", "work_queue", "participation")


def projection_modules(only: str | None = None) -> list[ModuleType]:
    if only is not None and only not in NAMES:
        raise KeyError(only)
    return [importlib.import_module(f"projections.{name}.handlers") for name in NAMES if only in (None, name)]


def ddl(module: ModuleType) -> str:
    """The projection's tables, policies and grants (``schema.sql`` beside its handlers), with unqualified
    names: run with search_path set to the schema to create them in (public live, a fresh one to rebuild)."""
    if module.__file__ is None:
        raise ValueError(f"{module.__name__} has no file beside which its schema.sql would be")
    return (Path(module.__file__).parent / "schema.sql").read_text()


def digest(module: ModuleType) -> str:
    """What a view's stored rows depend on: its DDL, and its handlers' ``revision`` (bumped when what they store of the
    same events changes). `credledger migrate` rebuilds a view whose digest changed since its tables were built."""
    revision = getattr(module, "revision", 0)
    text = ddl(module) + (f"\n-- handlers revision {revision}" if revision else "")
    return hashlib.sha256(text.encode()).hexdigest()


def tables(module: ModuleType) -> list[str]:
    """The tables the projection's DDL creates, in order."""
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl(module))
