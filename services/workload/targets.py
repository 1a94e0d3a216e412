"""Where a plan's commands go: straight into the application layer (AppTarget), or through the HTTP API of a
running service (HttpTarget). Both answer the id the command saved, or raise Refused when the domain refuses it
(HTTP 409/422); anything else (a 404, a 400, a 500, a lost connection) is raised as it is: a generator bug or a
broken service, never something to count."""

from __future__ import annotations

import inspect
import string
import threading
from typing import Any, Callable, Protocol
from urllib.parse import quote
from uuid import UUID

import msgspec

from domain.errors import DomainError
from services.app import Actor, NotFound, VersionConflict
from services.workload.plan import Step


class Refused(Exception):
    """The command broke a business rule (or lost a concurrent write): nothing was stored."""

    def __init__(self, rule: str, detail: str = "") -> None:
        super().__init__(f"{rule}: {detail}" if detail else rule)
        self.rule = rule
        self.detail = detail


class Target(Protocol):
    def execute(self, step: Step, ids: tuple[UUID, ...], kwargs: dict[str, Any]) -> UUID:
        """Run the step with its references resolved; the id of what it saved (``Saved.id``)."""
        ...


class AppTarget:
    """``getattr(credledger, step.command)(Actor(tenant, user, role), *ids, **kwargs)``."""

    def __init__(self, credledger: Any) -> None:
        self.credledger = credledger

    def execute(self, step: Step, ids: tuple[UUID, ...], kwargs: dict[str, Any]) -> UUID:
        actor = Actor(step.tenant, step.user, step.role)
        try:
            return getattr(self.credledger, step.command)(actor, *ids, **kwargs).id
        except NotFound:
            raise
        except DomainError as error:
            raise Refused(error.rule, error.message) from None
        except VersionConflict as error:
            raise Refused("version-conflict", str(error)) from None


# The one table from use case to HTTP route (services/api/*.py). {id} is the use case's positional id; any other
# {name} is taken out of the keyword arguments into the path. Every other argument goes in the JSON body.
ROUTES: dict[str, str] = {
    "register_organization": "/v1/organizations",
    "correct_profile": "/v1/organizations/{id}/profile-corrections",
    "record_nppes_snapshot": "/v1/organizations/{id}/nppes-snapshots",
    "receive_pin_letter": "/v1/organizations/{id}/pin-letter",
    "issue_provider_number": "/v1/organizations/{id}/provider-number",
    "link_rendering_provider": "/v1/organizations/{id}/rendering-providers",
    "unlink_rendering_provider": "/v1/organizations/{id}/rendering-providers/{npi}/unlink",
    "record_eft_details": "/v1/organizations/{id}/eft",
    "record_eft_validation": "/v1/organizations/{id}/eft/validation",
    "request_affiliation": "/v1/organizations/{id}/affiliations",
    "move_affiliation": "/v1/organizations/{id}/affiliations/transitions",
    "record_exclusion_screening": "/v1/organizations/{id}/exclusion-screenings",
    "clear_exclusion_screening": "/v1/organizations/{id}/exclusion-screenings/{source}/clear",
    "replace_primary_user": "/v1/organizations/{id}/primary-user/replace",
    "open_user_account": "/v1/user-accounts",
    "complete_checklist_step": "/v1/user-accounts/{id}/checklist",
    "grant_access": "/v1/user-accounts/{id}/access-grants",
    "revoke_access": "/v1/user-accounts/{id}/access-revocations",
    "review_access": "/v1/user-accounts/{id}/access-reviews",
    "record_departure": "/v1/user-accounts/{id}/departure",
    "deactivate_account": "/v1/user-accounts/{id}/deactivate",
    "reactivate_account": "/v1/user-accounts/{id}/reactivate",
    "reset_password": "/v1/user-accounts/{id}/password-resets",
    "open_application": "/v1/applications",
    "attach_document": "/v1/applications/{id}/documents",
    "submit_application": "/v1/applications/{id}/submit",
    "notice_deficiency": "/v1/applications/{id}/deficiencies",
    "resolve_deficiency": "/v1/applications/{id}/deficiencies/{deficiency_id}/resolve",
    "record_application_screening": "/v1/applications/{id}/screenings",
    "approve_application": "/v1/applications/{id}/approve",
    "deny_application": "/v1/applications/{id}/deny",
    "reject_application": "/v1/applications/{id}/reject",
    "withdraw_application": "/v1/applications/{id}/withdraw",
}
_PATH_FIELDS = {
    command: [name for _, name, _, _ in string.Formatter().parse(route) if name and name != "id"]
    for command, route in ROUTES.items()
}


def http_request(command: str, ids: tuple[UUID, ...], kwargs: dict[str, Any]) -> tuple[str, bytes]:
    """The path and JSON body of a use case's call (what the API's route turns back into that call)."""
    route = ROUTES.get(command)
    if route is None:
        raise ValueError(f"no HTTP route for the use case {command!r}")
    body = dict(kwargs)
    in_path = {name: quote(str(body.pop(name)), safe="") for name in _PATH_FIELDS[command]}
    if ids:
        in_path["id"] = str(ids[0])
    if command == "attach_document":  # the API takes the document's fields flat, beside supersedes
        document = body.pop("document")
        body = {**msgspec.to_builtins(document), **body}
    return route.format(**in_path), msgspec.json.encode(body)


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

    def _authorization(self, step: Step) -> str:
        key = (step.tenant, step.user, step.role) if self._per_user else (step.tenant,)
        token = self._tokens.get(key)
        if token is None:
            with self._lock:
                token = self._tokens.get(key) or self.token_for(*key)
                self._tokens[key] = token
        return f"Bearer {token}"

    def execute(self, step: Step, ids: tuple[UUID, ...], kwargs: dict[str, Any]) -> UUID:
        path, body = http_request(step.command, ids, kwargs)
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
        raise RuntimeError(f"{step.command} {path}: HTTP {response.status_code}: {response.text[:500]}")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpTarget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
