-- Affiliation status, second version: the provider number, the risk level, each
-- ACO / MCO / PCC affiliation with its state and dates, the linked rendering NPIs,
-- and the sole-enrollment risk (enrolled, yet active with no ACO or MCO).
ALTER TABLE affiliation_status
    ADD COLUMN IF NOT EXISTS risk_level text,
    ADD COLUMN IF NOT EXISTS provider_number text,
    ADD COLUMN IF NOT EXISTS affiliations jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS rendering_npis text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS sole_enrollment_risk boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS affiliation_status_plans ON affiliation_status USING gin (affiliations);
