"""Bearer JWT auth: the token carries tenant, user and role. Every route names a guard."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import jwt
import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from domain.base import check_tenant_id
from domain.errors import InvalidValue
from domain.text import clean_text
from services.app.base import Actor
from services.logs import REQUEST_ID

log = logging.getLogger(__name__)

ALGORITHM = "HS256"
ISSUER = "credledger"


class Role(StrEnum):
    FIRM_ADMIN = "firm_admin"
    SPECIALIST = "specialist"
    VIEWER = "viewer"
    AUDITOR = "auditor"
    CLIENT_VIEWER = "client_viewer"  # limited to the organizations listed in the token


WRITERS = frozenset({Role.FIRM_ADMIN, Role.SPECIALIST})
READERS = frozenset(Role)
# TIN/SSN, date of birth, PIN and bank account: only the firm's own working staff.
PII_READERS = frozenset({Role.FIRM_ADMIN, Role.SPECIALIST})


class Claims(msgspec.Struct, frozen=True):
    sub: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]  # recorded as the actor of every event
    tenant: str
    role: Role
    exp: int
    iss: str = ISSUER
    orgs: list[UUID] = []


class Principal(msgspec.Struct, frozen=True):
    user_id: str
    tenant_id: str
    role: Role
    organizations: frozenset[UUID] | None  # None: every organization of the tenant

    @property
    def actor(self) -> Actor:
        return Actor(tenant_id=self.tenant_id, user_id=self.user_id, role=str(self.role), request_id=REQUEST_ID.get())

    def may_see(self, organization_id: UUID) -> bool:
        return self.organizations is None or organization_id in self.organizations


def issue_token(
    secret: str,
    *,
    tenant: str,
    role: Role | str,
    user: str,
    organizations: list[UUID] = (),  # type: ignore[assignment]
    ttl_seconds: int = 12 * 3600,
) -> str:
    check_tenant_id(tenant)
    clean_text(user, field="user")
    role = Role(role)
    claims = {"sub": user, "tenant": tenant, "role": str(role), "iss": ISSUER, "exp": int(time.time()) + ttl_seconds}
    if organizations:
        claims["orgs"] = [str(o) for o in organizations]
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str, clock: Callable[[], float] = time.time) -> Principal:
    """The token's principal; ``clock`` is Unix time (tests pass their own to let a token expire)."""
    principal, expires = _verified(secret, token)
    if expires <= clock():  # checked on every use: the verification itself is cached
        raise NotAuthorizedException("Invalid bearer token: Signature has expired")
    return principal


def token_expiry(secret: str, token: str) -> int:
    """When a token that verified expires (Unix time): a long-lived response, such as a stream, ends then."""
    return _verified(secret, token)[1]


# A client sends the same token with every request: verifying its signature and claims once
# (about a tenth of a command's CPU in the API) is enough. Only tokens that verified are cached,
# keyed by the whole token, signature included.
@functools.lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> tuple[Principal, int]:
    try:
        raw = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub"]})
        claims = msgspec.convert(raw, Claims)
        check_tenant_id(claims.tenant)
        clean_text(claims.sub, field="sub")  # the actor of every event the token's holder records
    except (jwt.PyJWTError, msgspec.ValidationError, InvalidValue) as error:
        raise NotAuthorizedException(f"Invalid bearer token: {error}") from error
    organizations = frozenset(claims.orgs) if claims.role == Role.CLIENT_VIEWER else None
    principal = Principal(user_id=claims.sub, tenant_id=claims.tenant, role=claims.role, organizations=organizations)
    return principal, claims.exp


class BearerAuth(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("A bearer token is required (Authorization: Bearer <token>).")
        secret = connection.app.state.jwt_secret
        return AuthenticationResult(user=decode_token(secret, token.strip()), auth=token)


_SUBJECTS = ("organization_id", "account_id", "application_id", "practitioner_id", "task_id")


def _require(roles: frozenset[Role], what: str):  # type: ignore[no-untyped-def]
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.user.role not in roles:
            why = f"The {connection.user.role} role may not {what}."
            await _record_refusal(connection, why)
            raise PermissionDeniedException(why)

    guard.__name__ = f"may_{what.replace(' ', '_')}"
    return guard


async def _record_refusal(connection: ASGIConnection, why: str) -> None:
    """Refused attempts are part of the record an auditor reads (the target's access log)."""
    from services.api.commands import call

    subject = next((connection.path_params[k] for k in _SUBJECTS if k in connection.path_params), None)
    action = f"{connection.scope['method']} {connection.scope['path']}"  # type: ignore[typeddict-item]
    try:
        await call(connection.app.state.credledger.log_refusal, connection.user.actor, subject, action, why)
    except Exception:  # the refusal stands even if it could not be recorded; the log says so
        log.exception("could not record a refused %s", action)


may_write = _require(WRITERS, "record changes")
may_read = _require(READERS, "read")
may_read_pii = _require(PII_READERS, "read personal data")
may_configure = _require(frozenset({Role.FIRM_ADMIN}), "change the firm's settings")
may_import_lists = _require(frozenset({Role.FIRM_ADMIN}), "import exclusion lists")
may_manage_webhooks = _require(frozenset({Role.FIRM_ADMIN}), "manage webhooks")
# Who did what and why: the firm's staff and auditors, not its clients.
may_read_history = _require(frozenset(READERS - {Role.CLIENT_VIEWER}), "read the compliance history")
