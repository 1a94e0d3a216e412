-- How often each recurring credential comes due, per firm: {"caqh_reattestation_days": 120,
-- "masshealth_revalidation_months": 60, "plan_recredentialing_months": 36}. Keys absent use the defaults
-- (projections/expirables/queries.py: DEFAULT_CYCLES); the expirables view applies them at query time.
ALTER TABLE tenant_settings ADD COLUMN IF NOT EXISTS credential_cycles jsonb NOT NULL DEFAULT '{}';
