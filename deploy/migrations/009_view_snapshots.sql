-- Named snapshots of the views as they stood at a past moment (`credledger replay`).
-- Each lives in its own schema, snapshot_<name>, with the views' own tables, policies
-- and grants; the API reads one with ?snapshot=<name>. tenant_id NULL: every tenant.
CREATE TABLE IF NOT EXISTS view_snapshots (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9_]{1,40}$'),
    as_of timestamptz NOT NULL,
    tenant_id text,
    events_applied bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE view_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE view_snapshots FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON view_snapshots;
-- A tenant sees the snapshots of every tenant and its own; it reads only its rows in them.
CREATE POLICY tenant_isolation ON view_snapshots FOR SELECT
    USING (tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS owner_writes ON view_snapshots;
CREATE POLICY owner_writes ON view_snapshots TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT ON view_snapshots TO credledger_api;
