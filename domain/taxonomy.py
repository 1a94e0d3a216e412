"""NUCC Health Care Provider Taxonomy codes, recorded with the code-set version they come from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from domain.errors import InvalidValue

# Ten characters: nine alphanumerics ending in X (e.g. 207Q00000X, 193200000X).
_CODE = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
_VERSION = re.compile(r"[0-9]{2}\.[0-9]")


@dataclass(frozen=True)
class TaxonomySelection:
    code: str
    primary: bool


def parse_taxonomies(selections: list[TaxonomySelection], version: str) -> tuple[list[TaxonomySelection], str]:
    """Check the codes' form and that exactly one is primary; the catalog check is the service's."""
    if not _VERSION.fullmatch(version or ""):
        raise InvalidValue("The code-set version looks like 25.1.", field="taxonomy_version", rule="invalid-taxonomy")
    if not selections:
        raise InvalidValue("At least one taxonomy code is needed.", field="taxonomies", rule="invalid-taxonomy")
    for index, selection in enumerate(selections):
        if not _CODE.fullmatch(selection.code):
            raise InvalidValue(
                f"{selection.code!r} is not a NUCC taxonomy code.",
                field=f"taxonomies[{index}].code",
                rule="invalid-taxonomy",
            )
    if sum(s.primary for s in selections) != 1:
        raise InvalidValue("Exactly one taxonomy code is primary.", field="taxonomies", rule="invalid-taxonomy")
    if len({s.code for s in selections}) != len(selections):
        raise InvalidValue("A taxonomy code is listed twice.", field="taxonomies", rule="invalid-taxonomy")
    return list(selections), version


def check_taxonomies_known(
    selections: list[TaxonomySelection], version: str, code_sets: Mapping[str, frozenset[str]]
) -> None:
    """Each code is in the NUCC code set of its version. The code sets are data the service ships
    (services/catalogs); the rule is the domain's."""
    known = code_sets.get(version)
    if known is None:
        raise InvalidValue(
            f"Taxonomy code set {version} is not known; known: {', '.join(sorted(code_sets))}.",
            field="taxonomy_version",
            rule="unknown-taxonomy-version",
        )
    for index, selection in enumerate(selections):
        if selection.code not in known:
            raise InvalidValue(
                f"{selection.code} is not in the NUCC code set {version}.",
                field=f"taxonomies[{index}].code",
                rule="unknown-taxonomy-code",
            )
