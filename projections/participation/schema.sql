-- Participation: each clinician with each payer through each client practice, as a timeline in business time.
-- Unqualified names: `credledger migrate` runs this in the public schema, `credledger rebuild` in a fresh one that
-- then replaces it.

-- A clinician: its name and NPI, and its rendering links (the day its last link to a practice ends, its
-- participations through that practice end).
CREATE TABLE IF NOT EXISTS participation_clinicians (
    tenant_id text NOT NULL,
    practitioner_id uuid NOT NULL,
    organization_id uuid NOT NULL,  -- the client practice it belongs to
    name text NOT NULL,
    npi text NOT NULL,
    links jsonb NOT NULL DEFAULT '[]',  -- [{"organization_id", "service_location", "since", "until", "position"}]
    PRIMARY KEY (tenant_id, practitioner_id)
);
CREATE INDEX IF NOT EXISTS participation_clinicians_by_organization
    ON participation_clinicians (tenant_id, organization_id);

-- A practice's acts that end its clinicians' participations through it (its enrollment, a plan's contract).
CREATE TABLE IF NOT EXISTS participation_practices (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    ends jsonb NOT NULL DEFAULT '[]',  -- [{"payer", "on", "position", "reason"}]
    PRIMARY KEY (tenant_id, organization_id)
);

-- Every application (the practice's own only so that their events are known to ignore), and each step of a
-- clinician's own.
CREATE TABLE IF NOT EXISTS participation_applications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    practitioner_id uuid,  -- NULL: the practice's own application
    kind text NOT NULL,
    payer text NOT NULL,  -- MassHealth, or the plan's name
    opened_on date NOT NULL,
    open_deficiencies integer NOT NULL DEFAULT 0,
    steps jsonb NOT NULL DEFAULT '[]',  -- [{"on", "position", "state", "application_id", "payer_id", ...}]
    PRIMARY KEY (tenant_id, application_id)
);
CREATE INDEX IF NOT EXISTS participation_applications_by_organization
    ON participation_applications (tenant_id, organization_id);

-- A clinician with a payer through a practice. Each timeline entry is a state from the business day it held
-- ("from") to the next one's ("until", null: still): {"state", "application_id", "payer_id", "effective_on",
-- "decided_on", "end_on", "end_reason", "revalidated_on", "from", "until"}.
CREATE TABLE IF NOT EXISTS participations (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    participation_id uuid NOT NULL,  -- derived from the clinician, the practice and the payer
    practitioner_id uuid NOT NULL,
    practitioner_name text NOT NULL,
    npi text NOT NULL,
    payer text NOT NULL,
    payer_kind text NOT NULL,  -- masshealth, aco, mco or pcc
    timeline jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, organization_id, participation_id)
);
CREATE INDEX IF NOT EXISTS participations_by_name ON participations (tenant_id, practitioner_name, participation_id);
CREATE INDEX IF NOT EXISTS participations_by_practitioner ON participations (tenant_id, practitioner_id);

ALTER TABLE participation_clinicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE participation_clinicians FORCE ROW LEVEL SECURITY;
ALTER TABLE participation_practices ENABLE ROW LEVEL SECURITY;
ALTER TABLE participation_practices FORCE ROW LEVEL SECURITY;
ALTER TABLE participation_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE participation_applications FORCE ROW LEVEL SECURITY;
ALTER TABLE participations ENABLE ROW LEVEL SECURITY;
ALTER TABLE participations FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON participation_clinicians;
CREATE POLICY tenant_isolation ON participation_clinicians
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON participation_practices;
CREATE POLICY tenant_isolation ON participation_practices
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON participation_applications;
CREATE POLICY tenant_isolation ON participation_applications
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON participations;
CREATE POLICY tenant_isolation ON participations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON participations TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON participation_clinicians, participation_practices, participation_applications, participations
    TO credledger_worker;
