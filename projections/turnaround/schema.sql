-- Turnaround metrics. Unqualified names: `credledger migrate` runs this in the
-- public schema, a rebuild in a fresh one that then replaces it.
--
-- Only facts from events are stored. SLA targets (tenant_settings), breaches and
-- the aging of open applications depend on the settings or on the date of the
-- query, so the view's queries (queries.py) compute them at query time from these rows.

-- Each organization's MassHealth provider type, as last corrected: applications
-- copy it when opened, and a correction re-labels its applications.
CREATE TABLE IF NOT EXISTS turnaround_organizations (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    provider_type text NOT NULL,
    PRIMARY KEY (tenant_id, organization_id)
);

-- One row per application: what it is. Its facts are its steps'.
CREATE TABLE IF NOT EXISTS turnaround_applications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL,
    plan text,  -- ACO / MCO / PCC credentialing only
    provider_type text NOT NULL,
    opened_on date NOT NULL,
    steps integer NOT NULL,  -- its latest step's number
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, application_id)
);

-- An application's facts from the business day effective_on until the day
-- `until` (exclusive; NULL: still so): the view as of D reads, per application,
-- the step with effective_on <= D < until. Business days are Massachusetts state
-- business days; *_index columns hold each date's business-day index
-- (handlers.py: business_day_index), so the business days from a to b are
-- index(b) - index(a), in SQL, for any reference date the query picks. NULL:
-- outside the holiday table.
CREATE TABLE IF NOT EXISTS turnaround_steps (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    step integer NOT NULL,
    organization_id uuid NOT NULL,
    effective_on date NOT NULL,
    until date,
    -- preparing (never submitted, or back after a rejection), open (with the payer
    -- or the client), decided (approved or denied), withdrawn
    stage text NOT NULL DEFAULT 'preparing',
    outcome text,  -- approved, denied, withdrawn
    first_submitted_on date,
    -- The submission that counts: the latest. A rejection loses the queue position,
    -- so the clock restarts at the resubmission.
    submitted_on date,
    submitted_index integer,
    submissions integer NOT NULL DEFAULT 0,
    rejections integer NOT NULL DEFAULT 0,
    last_rejected_on date,
    decided_on date,  -- decision, or withdrawal
    business_days integer,  -- submission to decision (or withdrawal)
    -- Deficiencies of the submission that counts.
    deficiencies integer NOT NULL DEFAULT 0,
    open_deficiencies integer NOT NULL DEFAULT 0,
    client_days integer DEFAULT 0,  -- closed waiting-on-client periods (NULL: unknown)
    client_since date,  -- the open period: from the notice that opened it
    client_since_index integer,
    -- The payer's receipt of the submission that counts, where its clock starts:
    -- the day sent for a fax or the portal, NULL while a mailed form is in the mail.
    received_on date,
    received_index integer,
    PRIMARY KEY (tenant_id, application_id, step),
    CHECK (until IS NULL OR until > effective_on)
);
CREATE INDEX IF NOT EXISTS turnaround_applications_by_org
    ON turnaround_applications (tenant_id, organization_id);
CREATE INDEX IF NOT EXISTS turnaround_steps_by_org
    ON turnaround_steps (tenant_id, organization_id);
-- The current steps, which the metrics and today's answers read.
CREATE INDEX IF NOT EXISTS turnaround_steps_current
    ON turnaround_steps (tenant_id, stage, decided_on) WHERE until IS NULL;
CREATE INDEX IF NOT EXISTS turnaround_steps_by_day
    ON turnaround_steps (tenant_id, effective_on, until);

ALTER TABLE turnaround_organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE turnaround_organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE turnaround_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE turnaround_applications FORCE ROW LEVEL SECURITY;
ALTER TABLE turnaround_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE turnaround_steps FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON turnaround_organizations;
CREATE POLICY tenant_isolation ON turnaround_organizations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON turnaround_applications;
CREATE POLICY tenant_isolation ON turnaround_applications
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON turnaround_steps;
CREATE POLICY tenant_isolation ON turnaround_steps
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON turnaround_applications, turnaround_steps TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON turnaround_organizations, turnaround_applications, turnaround_steps
    TO credledger_worker;
