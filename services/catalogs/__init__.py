"""Reference code sets shipped with the service (see NUCC_PROVENANCE.md)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from domain.errors import InvalidValue
from domain.taxonomy import TaxonomySelection

_HERE = Path(__file__).resolve().parent
TAXONOMY_FILES = {"25.1": _HERE / "nucc_taxonomy_251.csv"}


@lru_cache(maxsize=None)
def taxonomy_codes(version: str) -> frozenset[str]:
    path = TAXONOMY_FILES.get(version)
    if path is None:
        raise InvalidValue(
            f"Taxonomy code set {version} is not known; known: {', '.join(sorted(TAXONOMY_FILES))}.",
            field="taxonomy_version",
            rule="unknown-taxonomy-version",
        )
    with open(path, newline="", encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def check_taxonomies_known(selections: list[TaxonomySelection], version: str) -> None:
    known = taxonomy_codes(version)
    for index, selection in enumerate(selections):
        if selection.code not in known:
            raise InvalidValue(
                f"{selection.code} is not in the NUCC code set {version}.",
                field=f"taxonomies[{index}].code",
                rule="unknown-taxonomy-code",
            )
