-- View changes: one row per view row a projection changed, written in the same
-- transaction as the change. The API streams them per tenant as server-sent
-- events; the id is the SSE event id a client resumes from (Last-Event-ID).
-- Ids follow commit order: writers take pg_advisory_xact_lock(view-changes)
-- before inserting, so a reader never sees id N+1 before N is committed.
CREATE TABLE IF NOT EXISTS view_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text NOT NULL,
    view text NOT NULL,
    organization_id uuid,
    subject_id uuid,
    position bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS view_changes_by_tenant ON view_changes (tenant_id, id);
ALTER TABLE view_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE view_changes FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON view_changes;
CREATE POLICY tenant_isolation ON view_changes
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT ON view_changes TO credledger_api;
GRANT SELECT, INSERT ON view_changes TO credledger_worker;

-- Per-tenant settings the views' queries read (not the projections: a setting
-- changes what a query reports, never what is stored, so no rebuild is needed).
-- A firm administrator changes them through PUT /v1/settings.
CREATE TABLE IF NOT EXISTS tenant_settings (
    tenant_id text PRIMARY KEY,
    access_review_interval_days integer NOT NULL DEFAULT 90 CHECK (access_review_interval_days BETWEEN 1 AND 730),
    -- SLA targets in business days, by application kind; absent kinds use the defaults.
    sla_targets jsonb NOT NULL DEFAULT '{}',
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON tenant_settings;
CREATE POLICY tenant_isolation ON tenant_settings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE ON tenant_settings TO credledger_api;
