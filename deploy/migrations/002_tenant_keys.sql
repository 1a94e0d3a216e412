-- Each tenant's PII data key, wrapped by the master key. Only the owner role
-- touches it: no grant to credledger_api. destroyed_at set and wrapped_key
-- cleared = the tenant's PII is crypto-shredded.
CREATE TABLE IF NOT EXISTS tenant_keys (
    tenant_id text PRIMARY KEY,
    wrapped_key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
REVOKE ALL ON tenant_keys FROM PUBLIC;
ALTER TABLE tenant_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_keys FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON tenant_keys;
CREATE POLICY tenant_isolation ON tenant_keys
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
