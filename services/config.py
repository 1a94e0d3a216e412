"""Settings, read once from the environment (12-factor style) and overridable from the CLI."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import platformdirs

API_ROLE = "credledger_api"
# In the data folder while an embedded `credledger up` runs (written by services/runtime.py): where its servers
# listen. Read here, not in services.runtime, so that the store commands (parked, verify, export, ...) do not
# import the API and its web framework just to find a database.
RUNNING_FILE = "running.json"


def default_data_dir() -> Path:
    return Path(os.environ.get("CREDLEDGER_DATA_DIR") or platformdirs.user_data_path("credledger"))


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # the owner's connection: event store, migrations, relay, projections
    nats_url: str | None
    data_dir: Path
    api_database_url: str | None = None  # the API's read connection; derived when unset
    namespace: str = "credledger"  # subject root and stream name; tests use their own
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str | None = None
    master_key: str | None = None  # base64 of 32 bytes: wraps each tenant's PII data key
    relay_batch: int = 1000  # events per publish round
    projection_batch: int = 256  # messages per projection transaction
    # Webhooks: http and hosts of this machine or a private network allowed (local tests only, never production).
    webhooks_allow_local: bool = False
    webhook_first_retry: float = 10.0  # seconds before a failed delivery's first retry (doubling after)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        settings = cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            nats_url=os.environ.get("NATS_URL") or None,
            data_dir=default_data_dir(),
            api_database_url=os.environ.get("API_DATABASE_URL") or None,
            namespace=os.environ.get("CREDLEDGER_NAMESPACE", "credledger"),
            host=os.environ.get("CREDLEDGER_HOST", "127.0.0.1"),
            port=int(os.environ.get("CREDLEDGER_PORT", "8000")),
            jwt_secret=os.environ.get("CREDLEDGER_JWT_SECRET") or None,
            master_key=os.environ.get("CREDLEDGER_MASTER_KEY") or None,
            relay_batch=int(os.environ.get("CREDLEDGER_RELAY_BATCH", "1000")),
            projection_batch=int(os.environ.get("CREDLEDGER_PROJECTION_BATCH", "256")),
            webhooks_allow_local=os.environ.get("CREDLEDGER_WEBHOOKS_ALLOW_LOCAL", "") in ("1", "true", "yes"),
            webhook_first_retry=float(os.environ.get("CREDLEDGER_WEBHOOK_FIRST_RETRY", "10")),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def stream(self) -> str:
        return self.namespace.upper()

    def read_database_url(self) -> str:
        """The API reads views as a role that neither owns the tables nor bypasses RLS."""
        if self.api_database_url:
            return self.api_database_url
        assert self.database_url, "database_url must be resolved first"
        url = urlsplit(self.database_url)
        password = os.environ.get("CREDLEDGER_API_DB_PASSWORD")
        userinfo = API_ROLE + (f":{quote(password, safe='')}" if password else "")
        netloc = f"{userinfo}@{url.hostname}" + (f":{url.port}" if url.port else "")
        return urlunsplit((url.scheme, netloc, url.path, url.query, url.fragment))

    def resolve_jwt_secret(self) -> str:
        """The signing secret: configured, or kept in the data folder (created on first use)."""
        return self.jwt_secret or _secret_file(self.data_dir / "jwt-secret", lambda: secrets.token_urlsafe(48))

    def resolve_master_key(self) -> bytes:
        """The PII master key: configured, or kept in the data folder (created on first use)."""
        encoded = self.master_key or _secret_file(
            self.data_dir / "master-key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
        )
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise ValueError("CREDLEDGER_MASTER_KEY must be the base64 encoding of 32 bytes.")
        return key


def running_embedded(settings: Settings) -> Settings:
    """Settings completed with the URLs of a running `credledger up` on the data folder, if any."""
    path = settings.data_dir / RUNNING_FILE
    if settings.database_url or not path.exists():
        return settings
    found = json.loads(path.read_text())
    return replace(settings, database_url=found["database_url"], nats_url=settings.nats_url or found["nats_url"])


def _secret_file(path: Path, make: Callable[[], str]) -> str:
    """Read a secret kept in a file readable only by its owner, creating it once."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()
