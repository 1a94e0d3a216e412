"""Field-level encryption of PII with a data key per tenant (AES-256-GCM).

Each tenant's data key is random, stored only wrapped (encrypted) by the master
key from configuration, in ``tenant_keys``. A sealed value is the string
``pii:v1:<base64(nonce || ciphertext)>``; the associated data binds it to its
tenant and field, so a ciphertext copied into another tenant's or another
field's event does not decrypt. Destroying a tenant's key makes every sealed
value of that tenant unreadable (crypto-shredding) while events stay intact.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import msgspec
import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.store.recorder import TENANT_SETTING

PREFIX = "pii:v1:"
# Request fingerprints (Idempotency-Key records) are keyed hashes, so a stored one cannot be matched
# against guessed bodies (a request body may carry a TIN or a date of birth) without the master key.
FINGERPRINT_PREFIX = "h1:"
REDACTED = "[redacted]"
_NONCE = 12
# How long a process trusts a cached key before checking it was not destroyed meanwhile
# (by `credledger shred` in another process): the longest a shredded key stays usable.
KEY_RECHECK_SECONDS = 2.0

# The tenant whose events are being encoded or decoded on this thread/task.
current_tenant: ContextVar[str | None] = ContextVar("current_tenant", default=None)


@contextlib.contextmanager
def tenant_scope(tenant_id: str) -> Iterator[None]:
    token = current_tenant.set(tenant_id)
    try:
        yield
    finally:
        current_tenant.reset(token)


class KeyDestroyed(Exception):
    """The tenant's data key was destroyed: its PII is gone for good."""


class Keyring:
    """Unwraps (and on first use creates) tenants' data keys; caches them in memory."""

    def __init__(self, database_url: str, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("The master key must be 32 bytes (AES-256).")
        self._database_url = database_url
        self._master = AESGCM(master_key)
        self._fingerprint_key = hmac.new(master_key, b"credledger request fingerprint v1", hashlib.sha256).digest()
        self._cache: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()
        # One connection for the keys, kept open: the re-checks run every few seconds per tenant, and a new
        # connection for each (while every thread sealing a value waits on the lock) put spikes into commands.
        self._con: psycopg.Connection[Any] | None = None

    def key(self, tenant_id: str) -> bytes:
        cached = self._cache.get(tenant_id)
        if cached is not None and time.monotonic() - cached[1] < KEY_RECHECK_SECONDS:
            return cached[0]
        with self._lock:
            cached = self._cache.get(tenant_id)
            if cached is not None and time.monotonic() - cached[1] < KEY_RECHECK_SECONDS:
                return cached[0]  # another thread checked it meanwhile
            try:
                row = self._wrapped_key(tenant_id, create=cached is None)
            except psycopg.OperationalError:  # the connection was lost: once more on a new one
                self._close()
                row = self._wrapped_key(tenant_id, create=cached is None)
            if row is None or row[1] is not None:
                self._cache.pop(tenant_id, None)
                raise KeyDestroyed(tenant_id)
            if cached is not None:
                key = cached[0]  # unchanged: a tenant's key is never replaced, only destroyed
            else:
                stored = bytes(row[0])
                key = self._master.decrypt(stored[:_NONCE], stored[_NONCE:], tenant_id.encode())
            self._cache[tenant_id] = (key, time.monotonic())
            return key

    def fingerprint(self, tenant_id: str, request: bytes) -> str:
        """A keyed hash of a request, for its Idempotency-Key record (no data key needed: a tenant whose key
        is destroyed still sends commands without personal data)."""
        digest = hmac.new(self._fingerprint_key, tenant_id.encode() + b"\0" + request, hashlib.sha256)
        return FINGERPRINT_PREFIX + digest.hexdigest()

    def _wrapped_key(self, tenant_id: str, *, create: bool) -> tuple[Any, ...] | None:
        """The tenant's (wrapped key, destroyed_at), creating the key first if ``create`` and it has none."""
        if self._con is None or self._con.closed:
            self._con = psycopg.connect(self._database_url)
        with self._con.transaction():
            # tenant_keys is under forced row-level security like every tenant table.
            self._con.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
            if create:
                wrapped = os.urandom(_NONCE)
                wrapped += self._master.encrypt(wrapped, AESGCM.generate_key(bit_length=256), tenant_id.encode())
                # Concurrent first uses (other processes) race here; ON CONFLICT keeps exactly one key.
                self._con.execute(
                    "INSERT INTO tenant_keys (tenant_id, wrapped_key) VALUES (%s, %s) "
                    "ON CONFLICT (tenant_id) DO NOTHING",
                    (tenant_id, wrapped),
                )
            return self._con.execute(
                "SELECT wrapped_key, destroyed_at FROM tenant_keys WHERE tenant_id = %s", (tenant_id,)
            ).fetchone()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(Exception):
                self._con.close()
            self._con = None


def destroy_tenant_key(database_url: str, tenant_id: str) -> bool:
    """Crypto-shred a tenant: its data key is erased, so every value sealed under it is gone for
    good (events, NATS copies and backups alike) while the events themselves stay. Irreversible.
    False if it was destroyed already."""
    with psycopg.connect(database_url) as con, con.transaction():
        con.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
        # A tenant with no key yet gets a destroyed row, so none is ever created for it.
        row = con.execute(
            "INSERT INTO tenant_keys (tenant_id, wrapped_key, destroyed_at) VALUES (%s, NULL, now()) "
            "ON CONFLICT (tenant_id) DO UPDATE SET wrapped_key = NULL, destroyed_at = now() "
            "WHERE tenant_keys.destroyed_at IS NULL RETURNING 1",
            (tenant_id,),
        ).fetchone()
        # The first results of its commands go too: nothing of the tenant's requests outlives its key.
        con.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, tenant_id))
        con.execute("DELETE FROM idempotency_keys WHERE tenant_id = %s", (tenant_id,))
    return row is not None


class FieldCipher:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal(self, tenant_id: str, field: str, value: Any) -> str:
        nonce = os.urandom(_NONCE)
        plaintext = msgspec.json.encode(value)
        ciphertext = AESGCM(self.keyring.key(tenant_id)).encrypt(nonce, plaintext, _aad(tenant_id, field))
        return PREFIX + base64.b64encode(nonce + ciphertext).decode()

    def open(self, tenant_id: str, field: str, sealed: str, kind: Any) -> Any:
        """The plaintext as ``kind``, or REDACTED when the tenant's key is destroyed."""
        if not isinstance(sealed, str) or not sealed.startswith(PREFIX):
            raise ValueError(f"{field} is not a sealed value")
        try:
            key = self.keyring.key(tenant_id)
        except KeyDestroyed:
            return REDACTED
        raw = base64.b64decode(sealed[len(PREFIX) :])
        plaintext = AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], _aad(tenant_id, field))
        return msgspec.json.decode(plaintext, type=kind)


def _aad(tenant_id: str, field: str) -> bytes:
    return f"{tenant_id}|{field}".encode()
