"""Deliveries out: the due ones are claimed (a lease with a token: a crashed sender's claim runs out and another
takes them), signed and POSTed; each attempt's outcome is recorded on its row if its claim still stands. A failed
one is tried again after 10 s, then twice as long each time, for a day (domain/webhooks.py); then it has failed,
until an administrator re-queues it.

A delivery can be sent twice only if the process dies between the receiver's answer and recording it: the repeat
carries the same webhook-id, which a receiver uses to ignore it. Whatever goes wrong with one delivery (its host,
its receiver, its secret) is recorded on it and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from domain.webhooks import next_attempt
from services.store.pii import REDACTED, FieldCipher, Keyring
from services.webhooks.addresses import Refused, checked_address
from services.webhooks.messages import signature_headers

log = logging.getLogger(__name__)
BATCH = 32
ATTEMPT_TIMEOUT = 30.0  # seconds for a whole attempt (lookup, connection, request, answer's head)
LEASE = timedelta(seconds=90)  # longer than an attempt can take: a claim outlives its attempt
RETENTION = timedelta(days=30)  # delivered and failed deliveries are kept this long after their last attempt
USER_AGENT = "credledger-webhooks/0.1"

EXPIRE = """
UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, claim = NULL,
    last_error = coalesce(last_error, 'not sent') || ' (retries ran out)'
WHERE status = 'pending' AND next_attempt_at <= now() AND retry_until < now()
"""
# The attempt is counted when claimed: a delivery whose attempts never get recorded still runs out of retries.
CLAIM = """
UPDATE webhook_deliveries AS d
SET next_attempt_at = now() + $2::interval, claim = gen_random_uuid(), attempts = d.attempts + 1
FROM (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) AS due
WHERE d.id = due.id
RETURNING d.id, d.tenant_id, d.endpoint_id, d.body, d.attempts, d.retry_until, d.claim
"""
RECORD = """
UPDATE webhook_deliveries SET status = $3::text, next_attempt_at = $4, last_attempt_at = $5::timestamptz,
    last_status_code = $6, last_error = $7, claim = NULL,
    delivered_at = CASE WHEN $3::text = 'delivered' THEN $5::timestamptz END
WHERE id = $1 AND claim = $2
"""


class Sender:
    def __init__(self, database_url: str, master_key: bytes, *, allow_local: bool, first_retry: float) -> None:
        self.cipher = FieldCipher(Keyring(database_url, master_key))
        self.allow_local = allow_local
        self.first_retry = timedelta(seconds=first_retry)
        # No proxy from the environment: a proxy would resolve the name itself, past the address check.
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0, connect=5.0),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )
        # Opened secrets, for one batch only: a firm whose key is destroyed meanwhile gets nothing more sent.
        self._secrets: dict[tuple[str, str], Any] = {}

    async def close(self) -> None:
        await self.client.aclose()
        await asyncio.to_thread(self.cipher.keyring.close)

    async def prune(self, db: asyncpg.Connection) -> None:
        await db.execute(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND last_attempt_at < now() - $1::interval",
            RETENTION,
        )

    async def send_due(self, db: asyncpg.Connection) -> int:
        """Send what is due now; returns how many were attempted."""
        await db.execute(EXPIRE)
        claimed = await db.fetch(CLAIM, BATCH, LEASE)
        if not claimed:
            return 0
        self._secrets.clear()
        endpoints = {
            row["id"]: row
            for row in await db.fetch(
                "SELECT id, url, secret_sealed, enabled FROM webhook_endpoints WHERE id = ANY($1::uuid[])",
                list({row["endpoint_id"] for row in claimed}),
            )
        }
        outcomes = await asyncio.gather(*(self._attempt(row, endpoints.get(row["endpoint_id"])) for row in claimed))
        for row, (status_code, error, final) in zip(claimed, outcomes, strict=True):
            await self._record(db, row, status_code, error, final)
        return len(claimed)

    async def _attempt(self, delivery: Any, endpoint: Any) -> tuple[int | None, str | None, bool]:
        """(status code, error, final): final when nothing will change by trying again."""
        if endpoint is None or not endpoint["enabled"]:
            return None, "the endpoint is disabled", True
        try:
            async with asyncio.timeout(ATTEMPT_TIMEOUT):
                return await self._post(delivery, endpoint)
        except Refused as refusal:
            return None, f"refused: {refusal}", True
        except (httpx.InvalidURL, UnicodeError, ValueError) as error:
            return None, f"the URL cannot be called: {type(error).__name__}: {error}"[:500], True
        except TimeoutError:
            return None, f"no answer within {ATTEMPT_TIMEOUT:.0f} s", False
        except Exception as error:  # any other: recorded on this delivery, retried; the others go on
            return None, f"{type(error).__name__}: {error}"[:500], False

    async def _post(self, delivery: Any, endpoint: Any) -> tuple[int | None, str | None, bool]:
        secret = await self._secret(delivery["tenant_id"], endpoint["secret_sealed"])
        if secret == REDACTED:
            return None, "the firm's key was destroyed: nothing of its records is sent", True
        url = httpx.URL(endpoint["url"])
        address = await checked_address(endpoint["url"], allow_local=self.allow_local)
        now = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "Host": url.netloc.decode("ascii"),
            **signature_headers(secret, delivery["id"], delivery["body"], now),
        }
        # Connect to the address checked; the name still goes in the Host header and, for TLS, in SNI and the
        # certificate's check.
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = self.client.build_request(
            "POST",
            url.copy_with(host=address),
            content=delivery["body"].encode(),
            headers=headers,
            extensions=extensions,
        )
        response = await self.client.send(request, stream=True)  # the answer's body is never read
        await response.aclose()
        if 200 <= response.status_code < 300:
            return response.status_code, None, False
        return response.status_code, f"HTTP {response.status_code}", False

    async def _secret(self, tenant_id: str, sealed: str) -> Any:
        key = (tenant_id, sealed)
        if key not in self._secrets:  # once per endpoint and batch: the keyring's lookups are synchronous
            self._secrets[key] = await asyncio.to_thread(self.cipher.open, tenant_id, "webhook_secret", sealed, str)
        return self._secrets[key]

    async def _record(
        self, db: asyncpg.Connection, row: Any, status_code: int | None, error: str | None, final: bool
    ) -> None:
        now = datetime.now(UTC)
        if error is None:
            status, retry_at = "delivered", None
        else:
            retry_at = None if final else next_attempt(row["attempts"], now, row["retry_until"], self.first_retry)
            status = "pending" if retry_at else "failed"
            log.info("webhook delivery %s: attempt %d failed (%s)", row["id"], row["attempts"], error)
        await db.execute(RECORD, row["id"], row["claim"], status, retry_at, now, status_code, error)
