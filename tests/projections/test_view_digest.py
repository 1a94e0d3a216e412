"""`credledger migrate` rebuilds a view whose digest changed: its DDL, or its handlers' revision (what they store
of the same events). A view with no revision keeps the digest of its DDL alone, so declaring none rebuilds nothing."""

from __future__ import annotations

import hashlib
from types import ModuleType

from projections.engine.registry import ddl, digest, projection_modules


def test_a_revision_changes_the_digest_and_none_keeps_the_ddls() -> None:
    for module in projection_modules():
        plain = hashlib.sha256(ddl(module).encode()).hexdigest()
        assert (digest(module) == plain) is (getattr(module, "revision", 0) == 0), module.name
        bumped = ModuleType(module.__name__)
        bumped.__file__ = module.__file__
        bumped.revision = getattr(module, "revision", 0) + 1  # type: ignore[attr-defined]
        assert digest(bumped) not in (plain, digest(module)), module.name
