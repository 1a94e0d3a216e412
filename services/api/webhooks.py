"""Webhook endpoints, managed by a firm's administrators: register one (its signing secret is shown once), read,
change, disable or delete it, read its deliveries and send failed ones again. Deliveries are made by the webhook
worker (services/webhooks/)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

import asyncpg
import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromQuery, JSONBody, Parameter

from domain.webhooks import check_subscriptions, check_url
from services.api.auth import Principal, may_manage_webhooks
from services.api.commands import call, etag, expected_version
from services.api.dependencies import ReadPool
from services.api.openapi_docs import ETAG, LOCATION, ConditionalOperation, problems
from services.api.paging import invalid
from services.api.webhook_bodies import (
    Requeue,
    Requeued,
    WebhookChange,
    WebhookCreated,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpoints,
    WebhookRegistration,
)
from services.app.base import NotFound, VersionConflict
from services.webhooks.messages import new_secret

_ENDPOINT = "id, url, event_types, description, enabled, version, created_by, created_at, updated_at"
_DELIVERY = (
    "id, event_type, status, attempts, last_status_code, last_error, next_attempt_at, last_attempt_at, "
    "retry_until, created_at, delivered_at, requeued_by, body"
)
# Pending again now, with another day of retries; the same id and body.
_REQUEUE = (
    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), "
    "retry_until = now() + interval '1 day', requeued_by = $2, requeued_at = now(), claim = NULL WHERE endpoint_id = $1"
)


def _endpoint(row: asyncpg.Record) -> WebhookEndpoint:
    return WebhookEndpoint(**{key: row[key] for key in WebhookEndpoint.__struct_fields__})


def _delivery(row: asyncpg.Record) -> WebhookDelivery:
    fields = {key: row[key] for key in WebhookDelivery.__struct_fields__ if key != "payload"}
    return WebhookDelivery(**fields, payload=msgspec.json.decode(row["body"]))


async def _tenant(con: asyncpg.Connection, principal: Principal) -> None:
    await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)


async def _owned(con: asyncpg.Connection, webhook_id: UUID) -> asyncpg.Record:
    row = await con.fetchrow(f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE id = $1", webhook_id)
    if row is None:  # another firm's endpoint is not visible (row-level security): not found, as any other id
        raise NotFound(f"No webhook endpoint {webhook_id}.")
    return row


def _with_etag(endpoint: WebhookEndpoint, status_code: int = 200, **headers: str) -> Response[WebhookEndpoint]:
    return Response(endpoint, status_code=status_code, headers={"ETag": etag(endpoint.version), **headers})


def _cursor(text: str | None) -> tuple[datetime, UUID] | None:
    if text is None:
        return None
    try:
        moment, _, key = base64.urlsafe_b64decode(text.encode()).decode().partition("|")
        return datetime.fromisoformat(moment), UUID(key)
    except ValueError:
        raise invalid("cursor", "invalid cursor", "The cursor is not one this API returned.") from None


_ADMIN = {"guards": [may_manage_webhooks], "tags": ["webhooks"]}


class WebhookController(Controller):
    path = "/v1/webhooks"

    @post(
        operation_id="registerWebhook",
        summary="Register a webhook endpoint",
        status_code=201,
        response_headers=[ETAG, LOCATION],
        responses=problems(400, 401, 403, 410, 413, 415, 422, 503),
        **_ADMIN,
    )
    async def register(
        self, request: Request, data: JSONBody[WebhookRegistration], read_pool: ReadPool
    ) -> Response[WebhookCreated]:
        """Registers an endpoint for the firm's messages recorded from now on: each is POSTed as JSON
        `{type, timestamp, data}` with the Standard Webhooks headers `webhook-id` (the same on every retry: ignore
        one already seen), `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 with the secret in this answer,
        shown only this once). A record's event carries what its compliance history shows (personal data never);
        a view's change names the view and practice to read again. A failed delivery is tried again after 10 s,
        then twice as long each time, for a day. Firm admins only."""
        principal: Principal = request.user
        url = check_url(data.url, allow_local=request.app.state.webhooks_allow_local)
        types = check_subscriptions(data.event_types)
        secret = new_secret()
        cipher = request.app.state.credledger.mapper.field_cipher
        sealed = await call(cipher.seal, principal.tenant_id, "webhook_secret", secret)
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, principal)
            row = await con.fetchrow(
                "INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, description, secret_sealed, "
                "from_position, from_change, created_by) VALUES ($1, $2, $3, $4, $5, $6, store_head(), "
                f"(SELECT coalesce(max(id), 0) FROM view_changes), $7) RETURNING {_ENDPOINT}",
                uuid4(),
                principal.tenant_id,
                url,
                types,
                data.description,
                sealed,
                principal.user_id,
            )
        endpoint = _endpoint(row)
        created = WebhookCreated(**msgspec.structs.asdict(endpoint), secret=secret)
        headers = {"ETag": etag(endpoint.version), "Location": f"/v1/webhooks/{endpoint.id}"}
        return Response(created, status_code=201, headers=headers)

    @get(
        operation_id="listWebhooks",
        summary="List the webhook endpoints",
        responses=problems(400, 401, 403, 503),
        **_ADMIN,
    )
    async def list_endpoints(self, request: Request, read_pool: ReadPool) -> WebhookEndpoints:
        """The firm's endpoints, oldest first (their secrets are never shown again)."""
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            rows = await con.fetch(f"SELECT {_ENDPOINT} FROM webhook_endpoints ORDER BY created_at, id")
        return WebhookEndpoints(items=[_endpoint(row) for row in rows])

    @get(
        "/{webhook_id:uuid}",
        operation_id="getWebhook",
        summary="Read a webhook endpoint",
        response_headers=[ETAG],
        responses=problems(400, 401, 403, 404, 503),
        **_ADMIN,
    )
    async def get_endpoint(self, request: Request, webhook_id: UUID, read_pool: ReadPool) -> Response[WebhookEndpoint]:
        """One endpoint, with its version as the ETag."""
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            return _with_etag(_endpoint(await _owned(con, webhook_id)))

    @put(
        "/{webhook_id:uuid}",
        operation_id="changeWebhook",
        summary="Change or disable a webhook endpoint",
        operation_class=ConditionalOperation,
        response_headers=[ETAG],
        responses=problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
        **_ADMIN,
    )
    async def change(
        self, request: Request, webhook_id: UUID, data: JSONBody[WebhookChange], read_pool: ReadPool
    ) -> Response[WebhookEndpoint]:
        """Changes the URL, message types, description, or enables or disables the endpoint (a disabled one is sent
        nothing; deliveries due meanwhile fail and can be sent again). `If-Match` names the version read: a
        change made since is a 409."""
        expected = expected_version(request)
        url = None if data.url is None else check_url(data.url, allow_local=request.app.state.webhooks_allow_local)
        types = None if data.event_types is None else check_subscriptions(data.event_types)
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            current = await con.fetchrow("SELECT version FROM webhook_endpoints WHERE id = $1 FOR UPDATE", webhook_id)
            if current is None:
                raise NotFound(f"No webhook endpoint {webhook_id}.")
            if expected is not None and expected != current["version"]:
                raise VersionConflict(f"The endpoint is at version {current['version']}.", current["version"])
            row = await con.fetchrow(
                "UPDATE webhook_endpoints SET url = coalesce($2, url), event_types = coalesce($3, event_types), "
                "description = coalesce($4, description), enabled = coalesce($5, enabled), version = version + 1, "
                f"updated_at = now() WHERE id = $1 RETURNING {_ENDPOINT}",
                webhook_id,
                url,
                types,
                data.description,
                data.enabled,
            )
        return _with_etag(_endpoint(row))

    @delete(
        "/{webhook_id:uuid}",
        operation_id="deleteWebhook",
        summary="Delete a webhook endpoint",
        responses=problems(400, 401, 403, 404, 503),
        **_ADMIN,
    )
    async def remove(self, request: Request, webhook_id: UUID, read_pool: ReadPool) -> None:
        """Deletes the endpoint and its deliveries' records: nothing more is sent to it. (To stop sending but keep
        the records, disable it.)"""
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            if await con.fetchval("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id", webhook_id) is None:
                raise NotFound(f"No webhook endpoint {webhook_id}.")

    @get(
        "/{webhook_id:uuid}/deliveries",
        operation_id="listWebhookDeliveries",
        summary="List an endpoint's deliveries",
        responses=problems(400, 401, 403, 404, 503),
        **_ADMIN,
    )
    async def deliveries(
        self,
        request: Request,
        webhook_id: UUID,
        read_pool: ReadPool,
        status: FromQuery[Literal["pending", "delivered", "failed"] | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> WebhookDeliveries:
        """Every message queued for the endpoint, newest first: its status, attempts, last answer or error, next
        attempt, and the body sent."""
        after = _cursor(cursor)
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            await _owned(con, webhook_id)
            rows = await con.fetch(
                f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2::text IS NULL OR "
                "status = $2) AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid)) "
                "ORDER BY created_at DESC, id DESC LIMIT $5",
                webhook_id,
                status,
                after[0] if after else None,
                after[1] if after else None,
                limit + 1,
            )
        items = [_delivery(row) for row in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        token = base64.urlsafe_b64encode(f"{last.created_at.isoformat()}|{last.id}".encode()).decode() if last else None
        return WebhookDeliveries(items=items, next_cursor=token)

    @post(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/retry",
        operation_id="retryWebhookDelivery",
        summary="Send a delivery again",
        status_code=202,
        responses=problems(400, 401, 403, 404, 413, 415, 503),
        **_ADMIN,
    )
    async def retry(
        self, request: Request, webhook_id: UUID, delivery_id: UUID, read_pool: ReadPool
    ) -> WebhookDelivery:
        """Queues the delivery to be sent now, whatever its status, with the same webhook-id and body (a receiver
        that already has it ignores it), and retries for a day again if it fails."""
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            row = await con.fetchrow(
                f"{_REQUEUE} AND id = $3 RETURNING {_DELIVERY}", webhook_id, request.user.user_id, delivery_id
            )
        if row is None:
            raise NotFound(f"No delivery {delivery_id} of webhook endpoint {webhook_id}.")
        return _delivery(row)

    @post(
        "/{webhook_id:uuid}/retries",
        operation_id="retryFailedWebhookDeliveries",
        summary="Send an endpoint's failed deliveries again",
        status_code=202,
        responses=problems(400, 401, 403, 404, 413, 415, 503),
        **_ADMIN,
    )
    async def retry_failed(
        self, request: Request, webhook_id: UUID, data: JSONBody[Requeue], read_pool: ReadPool
    ) -> Requeued:
        """Queues every delivery of the endpoint that failed (ran out of retries, or was refused) since the moment
        given, e.g. after the receiver was down for longer than a day; each keeps its webhook-id."""
        if data.failed_since.tzinfo is None:
            raise invalid("failed_since", "a timestamp needs its UTC offset (e.g. Z)", "The timestamp has no offset.")
        async with read_pool.acquire() as con, con.transaction():
            await _tenant(con, request.user)
            await _owned(con, webhook_id)
            done = await con.execute(
                f"{_REQUEUE} AND status = 'failed' AND coalesce(last_attempt_at, created_at) >= $3",
                webhook_id,
                request.user.user_id,
                data.failed_since,
            )
        return Requeued(requeued=int(done.split()[-1]))
