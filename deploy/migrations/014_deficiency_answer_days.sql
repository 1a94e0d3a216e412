-- The business days a client has to answer a deficiency notice: the firm's own
-- policy (the seeds give no MassHealth deadline), read by the turnaround view's
-- queries for the answer's due date. NULL: the default
-- (projections/turnaround/queries.py: DEFAULT_DEFICIENCY_ANSWER_DAYS).
ALTER TABLE tenant_settings ADD COLUMN IF NOT EXISTS deficiency_answer_days integer
    CHECK (deficiency_answer_days BETWEEN 1 AND 120);
