-- Expirables: every dated credential of the firm's clients and their clinicians, one row per period in which a
-- version of it held (from the business day it took effect to the next one's). Unqualified names: `credledger
-- migrate` runs this in the public schema, `credledger rebuild` in a fresh one that then replaces it.
--
-- Only facts are stored. Due dates that follow a cycle (CAQH re-attestation, MassHealth revalidation, plan
-- re-credentialing) are computed at query time from basis_on and the tenant's settings, and so are the windows
-- (overdue, 30, 60, 90 days) and the severity, which depends on the enrollments on the day asked about.

-- A clinician, or a client practice: whose credentials the periods are, and what the severity reads.
CREATE TABLE IF NOT EXISTS expirable_subjects (
    tenant_id text NOT NULL,
    subject_id uuid NOT NULL,  -- the practitioner's id, or the organization's own
    organization_id uuid NOT NULL,  -- the client practice it belongs to (itself, for an organization)
    subject_kind text NOT NULL,  -- practitioner or organization
    name text NOT NULL,
    npi text NOT NULL,
    -- The period of each credential now open: {"license:MA:MD": period_id}.
    open_periods jsonb NOT NULL DEFAULT '{}',
    -- An organization's MassHealth enrollments: [{"from": day, "until": day or null}].
    enrollments jsonb NOT NULL DEFAULT '[]',
    -- A clinician's rendering links: [{"organization_id", "service_location", "since", "until"}].
    links jsonb NOT NULL DEFAULT '[]',
    revalidation_submitted_on date,  -- a practice's latest revalidation submitted: it answers earlier letters
    PRIMARY KEY (tenant_id, subject_id)
);
CREATE INDEX IF NOT EXISTS expirable_subjects_by_organization ON expirable_subjects (tenant_id, organization_id);

-- Which organization each application belongs to, for its events that carry only its id.
CREATE TABLE IF NOT EXISTS expirable_applications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL,
    plan text,  -- an affiliation's plan: its approval is the plan's (re-)credentialing
    practitioner_id uuid,  -- a clinician's own application: none of the practice's dates follow from it
    PRIMARY KEY (tenant_id, application_id)
);

CREATE INDEX IF NOT EXISTS expirable_applications_by_organization
    ON expirable_applications (tenant_id, organization_id);

CREATE TABLE IF NOT EXISTS expirable_periods (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,  -- the client practice (a clinician's: the one the firm credentials it for)
    period_id uuid NOT NULL,  -- stable: derived from the subject, the credential and the event's store position
    subject_id uuid NOT NULL,
    credential text NOT NULL,  -- license:MA:MD, dea:MA, board:ABIM:Internal Medicine, malpractice, caqh, ...
    kind text NOT NULL,  -- license, dea, board_certification, malpractice, caqh_attestation, ...
    label text NOT NULL,
    status text,  -- a license's status as the board shows it
    expires_on date,  -- a fixed expiry; NULL when the due date follows a cycle from basis_on
    basis_on date,  -- the day a cycle counts from (the attestation, the enrollment, the activation)
    cycle text,  -- caqh_reattestation, masshealth_revalidation, plan_recredentialing
    effective_from date NOT NULL,  -- the business day this version took effect
    effective_until date,  -- the next version's (or the end's) business day; NULL: still in effect
    PRIMARY KEY (tenant_id, organization_id, period_id)
);
CREATE INDEX IF NOT EXISTS expirable_periods_in_effect ON expirable_periods (tenant_id, effective_from)
    WHERE effective_until IS NULL;
CREATE INDEX IF NOT EXISTS expirable_periods_by_subject ON expirable_periods (tenant_id, subject_id);

ALTER TABLE expirable_subjects ENABLE ROW LEVEL SECURITY;
ALTER TABLE expirable_subjects FORCE ROW LEVEL SECURITY;
ALTER TABLE expirable_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE expirable_applications FORCE ROW LEVEL SECURITY;
ALTER TABLE expirable_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE expirable_periods FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON expirable_subjects;
CREATE POLICY tenant_isolation ON expirable_subjects
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON expirable_applications;
CREATE POLICY tenant_isolation ON expirable_applications
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON expirable_periods;
CREATE POLICY tenant_isolation ON expirable_periods
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON expirable_subjects, expirable_periods TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON expirable_subjects, expirable_applications, expirable_periods
    TO credledger_worker;
