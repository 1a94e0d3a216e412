"""Where a plan's commands go: straight into the application layer (AppTarget), or through the HTTP API of a
running service (HttpTarget). Both answer the id the command saved, or raise Refused when the domain refuses it
(HTTP 409/422); anything else (a 404, a 400, a 500, a lost connection) is raised as it is: a generator bug or a
broken service, never something to count."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

import msgspec

from domain.errors import DomainError
from services.app import Actor, NotFound, VersionConflict
from services.app.catalog import UseCase, command_use_cases
from services.app.commands import Command
from services.workload.plan import Step
from services.workload.routes import command_routes


class Refused(Exception):
    """The command broke a business rule (or lost a concurrent write): nothing was stored."""

    def __init__(self, rule: str, detail: str = "") -> None:
        super().__init__(f"{rule}: {detail}" if detail else rule)
        self.rule = rule
        self.detail = detail


class Target(Protocol):
    def execute(self, step: Step, ids: tuple[Any, ...], fields: dict[str, Any]) -> UUID:
        """Run the step with its references resolved (``ids``: the use case's arguments before the command;
        ``fields``: the command's); the id of what it saved (``Saved.id``)."""
        ...


class AppTarget:
    """Straight into the application service: ``use_case(Actor(tenant, user, role), *ids, Command(**fields))``."""

    def __init__(self, credledger: Any) -> None:
        self.credledger = credledger
        # {use case: the service's bound method}, its command use cases found once by their type hints.
        self.use_cases = {use_case: use_case.__get__(credledger) for use_case in command_use_cases(type(credledger))}

    def execute(self, step: Step, ids: tuple[Any, ...], fields: dict[str, Any]) -> UUID:
        use_case = self.use_cases.get(step.use_case)
        if use_case is None:
            raise ValueError(f"{step.use_case.__qualname__} is not a command use case of {self.credledger}")
        actor = Actor(step.tenant, step.user, step.role)
        try:
            return use_case(actor, *ids, step.command(**fields)).id
        except NotFound:
            raise
        except DomainError as error:
            raise Refused(error.rule, error.message) from None
        except VersionConflict as error:
            raise Refused("version-conflict", str(error)) from None


def http_request(use_case: UseCase, ids: tuple[Any, ...], command: Command) -> tuple[str, bytes]:
    """The path and JSON body that make the API run ``use_case(actor, *ids, command)``: the route's path parameters
    are ``ids``, the body is the command (services/workload/routes.py)."""
    route = command_routes().get(use_case)
    if route is None:
        raise ValueError(f"no HTTP route runs the use case {use_case.__qualname__}")
    return route.path(ids), msgspec.json.encode(command)


class HttpTarget:
    """The same commands through the HTTP API at ``base_url``. ``token_for(tenant)`` gives a bearer token for the
    tenant; if it takes three arguments it is called as ``token_for(tenant, user, role)``, so that each event
    records the step's own user and role (the same events as AppTarget)."""

    def __init__(
        self, base_url: str, token_for: Callable[..., str], *, timeout: float = 30.0, client: Any = None
    ) -> None:
        import httpx  # only needed when a plan goes over HTTP

        self.client = client or httpx.Client(
            base_url=base_url, timeout=timeout, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        )
        self.token_for = token_for
        positional = [
            p
            for p in inspect.signature(token_for).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        ]
        self._per_user = len(positional) >= 3 or any(p.kind is p.VAR_POSITIONAL for p in positional)
        self._tokens: dict[tuple[str, ...], str] = {}
        self._lock = threading.Lock()
        command_routes()  # built now: a route that does not fit its use case fails here, not mid-plan

    def _authorization(self, step: Step) -> str:
        key = (step.tenant, step.user, step.role) if self._per_user else (step.tenant,)
        token = self._tokens.get(key)
        if token is None:
            with self._lock:
                token = self._tokens.get(key) or self.token_for(*key)
                self._tokens[key] = token
        return f"Bearer {token}"

    def execute(self, step: Step, ids: tuple[Any, ...], fields: dict[str, Any]) -> UUID:
        path, body = http_request(step.use_case, ids, step.command(**fields))
        response = self.client.post(
            path,
            content=body,
            headers={"Authorization": self._authorization(step), "Content-Type": "application/json"},
        )
        if response.status_code in (200, 201):
            return UUID(response.json()["id"])
        if response.status_code in (409, 422):
            problem = response.json()
            raise Refused(str(problem.get("type", "")).rsplit(":", 1)[-1], problem.get("detail", ""))
        raise RuntimeError(f"{step.name} {path}: HTTP {response.status_code}: {response.text[:500]}")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpTarget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
