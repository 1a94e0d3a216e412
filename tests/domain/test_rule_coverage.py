"""Guard: every rule the code can raise lives in the domain and is named by at least one test.

Rules are read from the source of every module under domain/, services/ and projections/ (recursively):
``RuleViolation("rule", ...)``, ``InvalidValue(..., rule="rule")``, the default rule of InvalidValue
(``invalid-value``, used by ``check_text``), and the status rules that ``Application.check_status(ApplicationStatus.X,
...)`` builds as ``application-not-x``. A rule raised outside domain/ makes this test fail (the rules are the
domain's: a use case loads aggregates and calls the domain, as services/app/user_accounts.py calls
domain/account_rules.py), and so does a domain rule that no domain test names.
"""

from __future__ import annotations

import re
from pathlib import Path

import domain

DOMAIN = Path(domain.__file__).resolve().parent
ROOT = DOMAIN.parent
# Read as text, not imported: this test stays pure (no store, no NATS, no web framework).
SERVICES = ROOT / "services"
PROJECTIONS = ROOT / "projections"
TESTS = Path(__file__).resolve().parents[1]  # tests/: the API tests name the one rule the API raises
DOMAIN_TESTS = Path(__file__).resolve().parent

# The one rule raised outside the domain: a reused Idempotency-Key is about the HTTP request (the same key sent
# with a different body), not about any aggregate's state, so no domain object can see it; the store's
# idempotency component (services/store/idempotency.py) refuses it before the command runs.
RAISED_OUTSIDE_THE_DOMAIN = {"idempotency-key-reused": "services/store/idempotency.py"}

_RULE_VIOLATION = re.compile(r'RuleViolation\(\s*"([a-z0-9-]+)"')
_RULE_KEYWORD = re.compile(r'rule="([a-z0-9-]+)"')
_CHECK_STATUS = re.compile(r"check_status\(\s*ApplicationStatus\.([A-Z_]+)")
# A RuleViolation whose rule is not a string literal (the scan cannot read it); ``class RuleViolation(`` is not one.
_UNREAD = re.compile(r'(?<!class )RuleViolation\((?!\s*")')


def sources(*roots: Path) -> dict[str, str]:
    """Each module's source by its path from the repository root, e.g. ``services/store/idempotency.py``."""
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for root in roots
        for path in sorted(root.rglob("*.py"))
    }


def rules_in(source: str) -> set[str]:
    rules = set(_RULE_VIOLATION.findall(source)) | set(_RULE_KEYWORD.findall(source))
    return rules | {f"application-not-{status.lower()}" for status in _CHECK_STATUS.findall(source)}


def domain_rules() -> set[str]:
    rules = {"invalid-value"}
    for source in sources(DOMAIN).values():
        rules |= rules_in(source)
    return rules


def rule_violations_outside_the_domain() -> dict[str, set[str]]:
    """The rules each module of services/ and projections/ raises as a RuleViolation."""
    found = {path: set(_RULE_VIOLATION.findall(source)) for path, source in sources(SERVICES, PROJECTIONS).items()}
    return {path: rules for path, rules in found.items() if rules}


def test_the_rule_scan_finds_the_known_rules() -> None:
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
        # the rules across aggregates (domain/account_rules.py)
        "approved-modification-required",
        "pin-letter-missing",
        "no-active-primary-user",
        "primary-user-exists",
    } <= rules
    assert len(rules) > 60
    # and the scan outside the domain reads services/ and projections/ through their subpackages
    assert "services/store/idempotency.py" in sources(SERVICES)
    assert any(path.startswith("projections/") and path.count("/") > 1 for path in sources(PROJECTIONS))


def test_only_the_known_dynamic_rule_is_built_at_run_time() -> None:
    unread = [path for path, source in sources(DOMAIN, SERVICES, PROJECTIONS).items() if _UNREAD.search(source)]
    assert unread == ["domain/application.py"]  # check_status's f"application-not-{...}", expanded above


def test_no_rule_is_raised_outside_the_domain() -> None:
    raised = rule_violations_outside_the_domain()
    allowed = {path: {rule} for rule, path in RAISED_OUTSIDE_THE_DOMAIN.items()}
    assert raised == allowed, "a rule belongs to the domain: raise it from domain/ and call it from the use case"


def test_every_domain_rule_is_named_by_a_test() -> None:
    tested = "\n".join(
        path.read_text(encoding="utf-8") for path in DOMAIN_TESTS.glob("test_*.py") if path.name != Path(__file__).name
    )
    untested = sorted(rule for rule in domain_rules() if f'"{rule}"' not in tested)
    assert untested == []


def test_the_rule_raised_outside_the_domain_is_named_by_a_test() -> None:
    this = Path(__file__).resolve()
    tested = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("test_*.py") if path != this)
    untested = sorted(rule for rule in RAISED_OUTSIDE_THE_DOMAIN if f'"{rule}"' not in tested)
    assert untested == []
