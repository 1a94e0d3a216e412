-- Access audit. Unqualified names: `credledger migrate` runs this in the
-- public schema, `credledger rebuild` in a fresh one that then replaces it.
-- Only facts are stored; the findings are derived when the view is read
-- (queries.py, beside this file), because "review overdue" depends on the
-- reference date and on the tenant's review interval (tenant_settings).

-- One row per organization: its current POSC primary user.
CREATE TABLE IF NOT EXISTS access_audit_organizations (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    legal_name text NOT NULL,
    npi text NOT NULL,
    primary_user_account_id uuid,
    primary_user_since date,  -- business days (Massachusetts), here and below; updated_at is a recording time
    registered_on date NOT NULL,
    -- The latest event that changed anything shown for the organization (its
    -- accounts and POSC-DC-PM applications included): GREATEST, so the order
    -- in which different aggregates' events arrive does not matter.
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, organization_id)
);
CREATE INDEX IF NOT EXISTS access_audit_organizations_by_name
    ON access_audit_organizations (tenant_id, legal_name, organization_id);
CREATE INDEX IF NOT EXISTS access_audit_organizations_by_update
    ON access_audit_organizations (tenant_id, updated_at, organization_id);

-- One row per POSC user account, as it is now. No date of birth: it is PII.
CREATE TABLE IF NOT EXISTS access_audit_accounts (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    person_name text NOT NULL,
    role text NOT NULL,
    partner_firm text,
    partner_function text,
    status text NOT NULL DEFAULT 'active',
    deactivated_on date,
    departed_on date,
    engagement_ended_on date,  -- a business partner's engagement with the practice
    grants text[] NOT NULL DEFAULT '{}',  -- POSC functions held now, sorted
    access_since date,  -- start of the current uninterrupted holding of any grant; NULL when none
    last_review_on date,
    last_review_outcome text,
    last_reviewer text,
    opened_on date NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);
CREATE INDEX IF NOT EXISTS access_audit_accounts_by_organization
    ON access_audit_accounts (tenant_id, organization_id);

-- Every period a POSC function was held: "who could act on date D". Keyed by the
-- version of the AccessGranted event, so a function granted again is a new period.
CREATE TABLE IF NOT EXISTS access_audit_grants (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    function text NOT NULL,
    granted_version integer NOT NULL,
    granted_on date NOT NULL,
    granted_by uuid,  -- the primary user's account; NULL when the primary user granted itself
    ended_on date,  -- the last day it was held; NULL: still held
    ended_by text,  -- revoked | review | deactivated
    PRIMARY KEY (tenant_id, account_id, function, granted_version)
);
CREATE INDEX IF NOT EXISTS access_audit_grants_by_organization
    ON access_audit_grants (tenant_id, organization_id, granted_on);

-- Every term as the organization's primary user, keyed by the version of the
-- organization event that started it (PrimaryUserDesignated / PrimaryUserReplaced).
CREATE TABLE IF NOT EXISTS access_audit_primary_terms (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    started_version integer NOT NULL,
    account_id uuid NOT NULL,
    started_on date NOT NULL,
    ended_on date,  -- the day the next primary user took over
    modification_id uuid,  -- the approved POSC-DC-PM it rests on; NULL for the first primary user
    PRIMARY KEY (tenant_id, organization_id, started_version)
);

-- Every access review, and every period an account was deactivated: with the grant periods and the primary
-- users' terms, what the audit as of a past day is derived from.
CREATE TABLE IF NOT EXISTS access_audit_reviews (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    version integer NOT NULL,  -- of the AccessReviewed event
    reviewed_on date NOT NULL,
    outcome text NOT NULL,
    reviewer text NOT NULL,
    PRIMARY KEY (tenant_id, account_id, version)
);
CREATE INDEX IF NOT EXISTS access_audit_reviews_by_organization ON access_audit_reviews (tenant_id, organization_id);

CREATE TABLE IF NOT EXISTS access_audit_deactivations (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    deactivated_version integer NOT NULL,
    deactivated_on date NOT NULL,
    reactivated_on date,  -- NULL: still deactivated
    PRIMARY KEY (tenant_id, account_id, deactivated_version)
);
CREATE INDEX IF NOT EXISTS access_audit_deactivations_by_organization
    ON access_audit_deactivations (tenant_id, organization_id);

-- Primary-user modification applications (POSC-DC-PM) and when they were approved.
CREATE TABLE IF NOT EXISTS access_audit_modifications (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    opened_on date NOT NULL,
    approved_on date,
    service_location text NOT NULL DEFAULT 'A',  -- the PID/SL's letter whose primary user it replaces
    PRIMARY KEY (tenant_id, application_id)
);
CREATE INDEX IF NOT EXISTS access_audit_modifications_by_organization
    ON access_audit_modifications (tenant_id, organization_id);

-- The periods a POSC-DC-PM was with MassHealth: from each submission to the
-- payer's answer (approval, denial, rejection) or the withdrawal.
CREATE TABLE IF NOT EXISTS access_audit_modification_submissions (
    tenant_id text NOT NULL,
    application_id uuid NOT NULL,
    submitted_version integer NOT NULL,
    organization_id uuid NOT NULL,
    submitted_on date NOT NULL,
    ended_on date,  -- NULL: still with MassHealth
    PRIMARY KEY (tenant_id, application_id, submitted_version)
);
CREATE INDEX IF NOT EXISTS access_audit_modification_submissions_by_organization
    ON access_audit_modification_submissions (tenant_id, organization_id);

-- The periods an exclusion list's match (suspected or confirmed) stood against the
-- organization or one of its owners and managing employees: to the next screening of
-- that list for the same subject or the clearing.
CREATE TABLE IF NOT EXISTS access_audit_screenings (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    subject_id uuid NOT NULL,  -- the organization's own id, or the disclosure's
    source text NOT NULL,  -- oig_leie, sam, state
    screened_version integer NOT NULL,
    result text NOT NULL,  -- suspected_match, confirmed_match
    list_version text NOT NULL,
    list_date date NOT NULL,
    screened_on date NOT NULL,
    ended_on date,  -- NULL: still standing
    PRIMARY KEY (tenant_id, organization_id, subject_id, source, screened_version)
);

-- Owners (5% or more) and managing employees, while disclosed: their matches count
-- against the organization on the days their disclosure covers. No SSN or birth date.
CREATE TABLE IF NOT EXISTS access_audit_disclosures (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    person_id uuid NOT NULL,
    role text NOT NULL,  -- owner, managing_employee
    name text NOT NULL,
    disclosed_on date NOT NULL,
    ended_on date,  -- NULL: still disclosed
    PRIMARY KEY (tenant_id, organization_id, person_id)
);

-- The periods an account was named the back-up (alternate) primary user.
CREATE TABLE IF NOT EXISTS access_audit_backups (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    named_version integer NOT NULL,
    named_on date NOT NULL,
    ended_on date,  -- NULL: still named
    PRIMARY KEY (tenant_id, account_id, named_version)
);
CREATE INDEX IF NOT EXISTS access_audit_backups_by_organization ON access_audit_backups (tenant_id, organization_id);

-- Each login to POSC recorded (from POSC's user report): the last one by a day.
CREATE TABLE IF NOT EXISTS access_audit_logins (
    tenant_id text NOT NULL,
    account_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    version integer NOT NULL,
    logged_in_on date NOT NULL,
    PRIMARY KEY (tenant_id, account_id, version)
);
CREATE INDEX IF NOT EXISTS access_audit_logins_by_account ON access_audit_logins (tenant_id, account_id, logged_in_on);

-- The periods a service location other than A was enrolled (its own PID/SL), to its
-- closing or the practice's disenrollment; A's enrollment is the practice's own.
CREATE TABLE IF NOT EXISTS access_audit_location_enrollments (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    code text NOT NULL,  -- B-Z
    enrolled_version integer NOT NULL,
    enrolled_on date NOT NULL,
    ended_on date,  -- NULL: still enrolled
    PRIMARY KEY (tenant_id, organization_id, code, enrolled_version)
);

-- Every term as a location's primary user (one per PID/SL), for locations other than A.
CREATE TABLE IF NOT EXISTS access_audit_location_primaries (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,
    code text NOT NULL,
    started_version integer NOT NULL,
    account_id uuid NOT NULL,
    started_on date NOT NULL,
    ended_on date,  -- the day the next one took over
    modification_id uuid,  -- the approved POSC-DC-PM for the location; NULL for the first
    PRIMARY KEY (tenant_id, organization_id, code, started_version)
);

-- Every screening of a subject against a list, whatever it found: the last one by a
-- day says whether the subject was screened within the firm's interval.
CREATE TABLE IF NOT EXISTS access_audit_screened (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,  -- the practice; a clinician's: its roster's
    subject_id uuid NOT NULL,  -- the organization, a disclosure's person, a clinician
    source text NOT NULL,
    screened_version integer NOT NULL,
    screened_on date NOT NULL,
    PRIMARY KEY (tenant_id, organization_id, subject_id, source, screened_version)
);
CREATE INDEX IF NOT EXISTS access_audit_screened_by_subject
    ON access_audit_screened (tenant_id, subject_id, source, screened_on);

-- The clinicians, under the practice whose roster they are on.
CREATE TABLE IF NOT EXISTS access_audit_clinicians (
    tenant_id text NOT NULL,
    practitioner_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL,
    registered_on date NOT NULL,
    PRIMARY KEY (tenant_id, practitioner_id)
);
CREATE INDEX IF NOT EXISTS access_audit_clinicians_by_organization
    ON access_audit_clinicians (tenant_id, organization_id);

-- The periods a clinician rendered at a practice's service location.
CREATE TABLE IF NOT EXISTS access_audit_renderings (
    tenant_id text NOT NULL,
    organization_id uuid NOT NULL,  -- the clinician's roster's practice
    practitioner_id uuid NOT NULL,
    linked_version integer NOT NULL,
    linked_organization_id uuid NOT NULL,  -- where it renders
    service_location text NOT NULL,
    linked_on date NOT NULL,
    ended_on date,  -- NULL: still rendering there
    PRIMARY KEY (tenant_id, organization_id, practitioner_id, linked_version)
);
CREATE INDEX IF NOT EXISTS access_audit_renderings_by_practice
    ON access_audit_renderings (tenant_id, linked_organization_id);
CREATE INDEX IF NOT EXISTS access_audit_renderings_by_clinician
    ON access_audit_renderings (tenant_id, practitioner_id);

ALTER TABLE access_audit_organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_grants FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_primary_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_primary_terms FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_reviews FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_deactivations ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_deactivations FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_modifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_modifications FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_modification_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_modification_submissions FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_screenings ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_screenings FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_disclosures ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_disclosures FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_backups ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_backups FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_logins ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_logins FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_location_enrollments ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_location_enrollments FORCE ROW LEVEL SECURITY;
ALTER TABLE access_audit_location_primaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_location_primaries FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON access_audit_organizations;
CREATE POLICY tenant_isolation ON access_audit_organizations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_accounts;
CREATE POLICY tenant_isolation ON access_audit_accounts
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_grants;
CREATE POLICY tenant_isolation ON access_audit_grants
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_primary_terms;
CREATE POLICY tenant_isolation ON access_audit_primary_terms
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_reviews;
CREATE POLICY tenant_isolation ON access_audit_reviews
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_deactivations;
CREATE POLICY tenant_isolation ON access_audit_deactivations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_modifications;
CREATE POLICY tenant_isolation ON access_audit_modifications
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_modification_submissions;
CREATE POLICY tenant_isolation ON access_audit_modification_submissions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_screenings;
CREATE POLICY tenant_isolation ON access_audit_screenings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_backups;
CREATE POLICY tenant_isolation ON access_audit_backups
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_logins;
CREATE POLICY tenant_isolation ON access_audit_logins
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_disclosures;
CREATE POLICY tenant_isolation ON access_audit_disclosures
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_location_enrollments;
CREATE POLICY tenant_isolation ON access_audit_location_enrollments
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
DROP POLICY IF EXISTS tenant_isolation ON access_audit_location_primaries;
CREATE POLICY tenant_isolation ON access_audit_location_primaries
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE access_audit_screened ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_screened FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON access_audit_screened;
CREATE POLICY tenant_isolation ON access_audit_screened
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE access_audit_clinicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_clinicians FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON access_audit_clinicians;
CREATE POLICY tenant_isolation ON access_audit_clinicians
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE access_audit_renderings ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_audit_renderings FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON access_audit_renderings;
CREATE POLICY tenant_isolation ON access_audit_renderings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT ON access_audit_organizations, access_audit_accounts, access_audit_grants,
    access_audit_primary_terms, access_audit_reviews, access_audit_deactivations, access_audit_modifications,
    access_audit_modification_submissions, access_audit_screenings, access_audit_disclosures,
    access_audit_backups, access_audit_logins, access_audit_location_enrollments, access_audit_location_primaries,
    access_audit_screened, access_audit_clinicians, access_audit_renderings
    TO credledger_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON access_audit_organizations, access_audit_accounts, access_audit_grants,
    access_audit_primary_terms, access_audit_reviews, access_audit_deactivations, access_audit_modifications,
    access_audit_modification_submissions, access_audit_screenings, access_audit_disclosures,
    access_audit_backups, access_audit_logins, access_audit_location_enrollments, access_audit_location_primaries,
    access_audit_screened, access_audit_clinicians, access_audit_renderings
    TO credledger_worker;
