-- Days without a recorded POSC login before an active ID is an access-audit
-- finding: the firm's own policy (MassHealth ends long-inactive IDs without
-- saying after how long in the seeds). NULL: the default
-- (projections/access_audit/sql.py: DEFAULT_LOGIN_INACTIVITY_DAYS).
ALTER TABLE tenant_settings ADD COLUMN IF NOT EXISTS login_inactivity_days integer
    CHECK (login_inactivity_days BETWEEN 1 AND 730);
