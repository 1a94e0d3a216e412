"""Domain errors. Each names the rule it enforces, so the API can name it too."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a business rule or carried an invalid value."""

    rule = "domain-rule"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(DomainError):
    """A value object refused its input (e.g. an NPI with a wrong check digit)."""

    rule = "invalid-value"

    def __init__(self, message: str, *, field: str, rule: str = "invalid-value") -> None:
        super().__init__(message, field=field)
        self.rule = rule


class RuleViolation(DomainError):
    """The aggregate's state does not allow this command now."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
