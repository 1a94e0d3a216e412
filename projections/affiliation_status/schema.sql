-- Affiliation status. Unqualified names: `credledger migrate` runs this in the
-- public schema, `credledger rebuild` in a fresh one that then replaces it.
CREATE TABLE IF NOT EXISTS affiliation_status (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    legal_name text NOT NULL,
    npi text NOT NULL,
    entity_kind text NOT NULL,
    risk_level text,
    posc_registration text NOT NULL DEFAULT 'not_started',
    posc_registration_application_id uuid,
    posc_registration_position bigint NOT NULL DEFAULT 0,
    enrollment text NOT NULL DEFAULT 'not_started',
    enrollment_application_id uuid,
    enrollment_position bigint NOT NULL DEFAULT 0,
    provider_number text,
    affiliations jsonb NOT NULL DEFAULT '{}',
    -- Each service location other than A (its own PID/SL): {"B": {"enrollment": state, "application_id": id,
    -- "position": the store position of its latest enrollment application}}; A's enrollment is the column above.
    locations jsonb NOT NULL DEFAULT '{}',
    rendering_npis text[] NOT NULL DEFAULT '{}',
    sole_enrollment_risk boolean NOT NULL DEFAULT false,
    -- What differs from the NPPES record (field, detail), as the domain last compared it.
    nppes_mismatches jsonb NOT NULL DEFAULT '[]',
    registered_on date NOT NULL,  -- its business day (Massachusetts); updated_at is a recording time
    updated_at timestamptz NOT NULL,
    events_applied integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, organization_id)
);
CREATE INDEX IF NOT EXISTS affiliation_status_plans ON affiliation_status USING gin (affiliations);
CREATE INDEX IF NOT EXISTS affiliation_status_by_name ON affiliation_status (tenant_id, legal_name, organization_id);
CREATE INDEX IF NOT EXISTS affiliation_status_by_update ON affiliation_status (tenant_id, updated_at, organization_id);

-- Which organization and kind each application belongs to, so events that
-- carry only the application id can update the right organization row.
CREATE TABLE IF NOT EXISTS affiliation_applications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL,
    service_location text NOT NULL DEFAULT 'A',  -- the PID/SL's letter an enrollment is for
    practitioner_id uuid,  -- a clinician's own application: counted, drives none of the practice's columns
    open_deficiencies integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, application_id)
);

ALTER TABLE affiliation_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE affiliation_status FORCE ROW LEVEL SECURITY;
ALTER TABLE affiliation_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE affiliation_applications FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON affiliation_status;
CREATE POLICY tenant_isolation ON affiliation_status
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON affiliation_applications;
CREATE POLICY tenant_isolation ON affiliation_applications
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON affiliation_status TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON affiliation_status, affiliation_applications TO credledger_worker;
