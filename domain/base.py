"""What every credledger aggregate shares: the tenant it belongs to, and who acted."""

from __future__ import annotations

import re

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValue

# Tenant ids become NATS subject tokens (credledger.<tenant>.<aggregate>.<event>),
# so they may not contain dots, wildcards or whitespace.
_TENANT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_tenant_id(tenant_id: str) -> str:
    if not isinstance(tenant_id, str) or not _TENANT_ID.fullmatch(tenant_id):
        raise InvalidValue("A tenant id is 1-64 letters, digits, '-' or '_'.", field="tenant", rule="invalid-tenant")
    return tenant_id


def check_text(value: str, *, field: str, max_length: int = 200) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidValue(f"{field} must not be empty.", field=field)
    if len(value) > max_length:
        raise InvalidValue(f"{field} is longer than {max_length} characters.", field=field)
    return value


class TenantAggregate(Aggregate):
    """An aggregate owned by one tenant. Every event names the acting user and may carry a reason."""

    tenant_id: str
