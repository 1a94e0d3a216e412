"""The NUCC code-set rule (domain/taxonomy.py) over the code set the service ships (services/catalogs)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.taxonomy import TaxonomySelection, check_taxonomies_known
from services.catalogs import nucc_code_sets

PSYCHOLOGIST, GROUP = "103T00000X", "193200000X"


def test_codes_of_the_shipped_code_set_are_known() -> None:
    sets = nucc_code_sets()
    assert len(sets["25.1"]) > 800  # the whole code set, not a sample
    check_taxonomies_known([TaxonomySelection(GROUP, True), TaxonomySelection(PSYCHOLOGIST, False)], "25.1", sets)


def test_a_well_formed_code_missing_from_the_set_is_refused_by_position() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_taxonomies_known(
            [TaxonomySelection(GROUP, True), TaxonomySelection("999900000X", False)], "25.1", nucc_code_sets()
        )
    assert (refused.value.rule, refused.value.field) == ("unknown-taxonomy-code", "taxonomies[1].code")


def test_an_unknown_code_set_version_names_the_known_ones() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_taxonomies_known([TaxonomySelection(GROUP, True)], "24.1", nucc_code_sets())
    assert refused.value.rule == "unknown-taxonomy-version"
    assert "25.1" in refused.value.message
