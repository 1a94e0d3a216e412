-- Webhooks: endpoints a firm registers (POST /v1/webhooks) and every delivery made to them.
--
-- The API (credledger_api) manages a tenant's endpoints and reads and re-queues its deliveries, under row-level
-- security like every tenant table. The webhook worker works for every tenant at once, as the relay does: it
-- connects as the owner, which the owner_* policies let through, and names the tenant in every statement.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL,
    url text NOT NULL,
    event_types text[] NOT NULL,  -- what it receives: "organization.Registered", "application.*", "view.*", "*"
    description text NOT NULL DEFAULT '',
    secret_sealed text NOT NULL,  -- the signing secret, sealed with the tenant's key (services/store/pii.py)
    enabled boolean NOT NULL DEFAULT true,
    -- Only what is recorded after the endpoint: events past this store position, view changes past this id.
    from_position bigint NOT NULL,
    from_change bigint NOT NULL,
    version integer NOT NULL DEFAULT 1,  -- its ETag: a change names the version it read (If-Match)
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, created_at, id);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON webhook_endpoints;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS owner_reads ON webhook_endpoints;
CREATE POLICY owner_reads ON webhook_endpoints FOR SELECT TO CURRENT_USER USING (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO credledger_api;

-- One row per message to one endpoint. Its id is the webhook-id header, derived from the endpoint and what caused
-- it, so a message taken in twice (a redelivered stream message) is one row, and every retry of it carries the
-- same id: a receiver that has seen the id ignores the repeat (the Standard Webhooks scheme).
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id uuid PRIMARY KEY,
    tenant_id text NOT NULL,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type text NOT NULL,
    body text NOT NULL,  -- the exact JSON signed and sent, the same on every attempt
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,  -- when pending: the next try (a lease while one is under way)
    retry_until timestamptz NOT NULL,  -- a day after it was queued (or re-queued by an administrator)
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    requeued_by text,
    requeued_at timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint
    ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC, id DESC);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON webhook_deliveries;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS owner_writes ON webhook_deliveries;
CREATE POLICY owner_writes ON webhook_deliveries TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE ON webhook_deliveries TO credledger_api;

-- The worker reads every tenant's view changes (to deliver them) from where it stopped.
DROP POLICY IF EXISTS owner_reads ON view_changes;
CREATE POLICY owner_reads ON view_changes FOR SELECT TO CURRENT_USER USING (true);
CREATE TABLE IF NOT EXISTS webhook_progress (
    source text PRIMARY KEY,  -- 'view_changes'
    last_id bigint NOT NULL
);
