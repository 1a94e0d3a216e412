-- Read models. Every table with tenant_id has row-level security enabled AND
-- forced, so even its owner sees only the tenant set for the transaction
-- (https://www.postgresql.org/docs/current/ddl-rowsecurity.html). The API
-- connects as credledger_api, which owns nothing and lacks BYPASSRLS.
-- The tenant is set per transaction: set_config('app.tenant_id', $1, true).

-- Roles are cluster-wide while the migration lock is per database: two databases
-- migrating at once may race here: the loser gets duplicate_object, or unique_violation
-- when both passed the check at once, and either is fine.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'credledger_api') THEN
        CREATE ROLE credledger_api LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- Projection positions: which event each projection has applied up to.
-- No tenant_id here, and no grant to the API role.
CREATE TABLE IF NOT EXISTS projection_tracking (
    projection text PRIMARY KEY,
    notification_id bigint NOT NULL
);

-- Per aggregate, the last version each projection applied: makes a
-- redelivered or replayed event a no-op whatever order the broker uses.
CREATE TABLE IF NOT EXISTS projection_versions (
    projection text NOT NULL,
    tenant_id text NOT NULL,
    originator_id uuid NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (projection, originator_id)
);

-- Relay position: the last notification id published and acknowledged by JetStream.
CREATE TABLE IF NOT EXISTS relay_position (
    stream text PRIMARY KEY,
    notification_id bigint NOT NULL
);

-- The views' own tables are created by the projections' DDL (projections/<view>/schema.sql),
-- which `credledger rebuild` also runs into a fresh schema.

ALTER TABLE projection_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE projection_versions FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS tenant_isolation ON projection_versions;
CREATE POLICY tenant_isolation ON projection_versions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT USAGE ON SCHEMA public TO credledger_api;
