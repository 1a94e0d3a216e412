"""Reference code sets shipped with the service (see NUCC_PROVENANCE.md). The rules that use them are the
domain's (domain/taxonomy.py ``check_taxonomies_known``); this module only reads the files."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
TAXONOMY_FILES = {"25.1": _HERE / "nucc_taxonomy_251.csv"}


@cache
def nucc_code_sets() -> dict[str, frozenset[str]]:
    """Every shipped NUCC code set by version (read once per process)."""
    return {version: _read_codes(path) for version, path in TAXONOMY_FILES.items()}


def taxonomy_codes(version: str) -> frozenset[str]:
    return nucc_code_sets()[version]


def _read_codes(path: Path) -> frozenset[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))
