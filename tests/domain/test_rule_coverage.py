"""Guard: every rule the domain can raise is named by at least one domain test.

Rules are read from the source of domain/*.py: ``RuleViolation("rule", ...)``, ``InvalidValue(..., rule="rule")``,
the default rule of InvalidValue (``invalid-value``, used by ``check_text``), and the status rules that
``Application.check_status(ApplicationStatus.X, ...)`` builds as ``application-not-x``. A new rule without a test
that names it makes this test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import domain

DOMAIN = Path(domain.__file__).resolve().parent
TESTS = Path(__file__).resolve().parent

_RULE_VIOLATION = re.compile(r'RuleViolation\(\s*"([a-z0-9-]+)"')
_RULE_KEYWORD = re.compile(r'rule="([a-z0-9-]+)"')
_CHECK_STATUS = re.compile(r"check_status\(\s*ApplicationStatus\.([A-Z_]+)")
_DYNAMIC = re.compile(r'RuleViolation\(\s*f"')


def domain_rules() -> set[str]:
    rules = {"invalid-value"}
    for path in DOMAIN.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rules |= set(_RULE_VIOLATION.findall(source))
        rules |= set(_RULE_KEYWORD.findall(source))
        rules |= {f"application-not-{status.lower()}" for status in _CHECK_STATUS.findall(source)}
    return rules


def test_the_rule_scan_finds_the_known_rules():
    rules = domain_rules()
    # a few from each module, so a broken scan cannot pass vacuously
    assert {
        "invalid-npi",
        "invalid-tin",
        "invalid-address",
        "invalid-taxonomy",
        "invalid-tenant",
        "invalid-nppes-record",
        "coi-limits",
        "aco-a-needs-partner-mco",
        "affiliation-needs-enrollment",
        "nothing-to-correct",
        "step-out-of-order",
        "application-closed",
        "application-not-open",
        "application-not-submitted",
        "application-not-deficient",
        "date-outside-holiday-table",
    } <= rules
    assert len(rules) > 60


def test_only_the_known_dynamic_rule_is_built_at_run_time():
    dynamic = [path.name for path in DOMAIN.glob("*.py") if _DYNAMIC.search(path.read_text(encoding="utf-8"))]
    assert dynamic == ["application.py"]  # check_status's f"application-not-{...}", expanded above


def test_every_domain_rule_is_named_by_a_test():
    tested = "\n".join(
        path.read_text(encoding="utf-8") for path in TESTS.glob("test_*.py") if path.name != Path(__file__).name
    )
    untested = sorted(rule for rule in domain_rules() if f'"{rule}"' not in tested)
    assert untested == []
