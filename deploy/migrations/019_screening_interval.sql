-- Days within which every subject (a practice, each owner and managing employee it disclosed, each clinician) must
-- have been screened against the federal exclusion lists, per firm: NULL uses the default, 31 (42 CFR 455.436's
-- "monthly", at the longest month). The access audit reports a subject not screened within it; the monthly
-- re-screening records an unchanged result once half of it has passed, so a subject screened in runs at least that
-- often never is (a match awaiting review excepted: its own finding stands until a reviewer settles it).
ALTER TABLE tenant_settings ADD COLUMN IF NOT EXISTS screening_interval_days integer
    CHECK (screening_interval_days BETWEEN 7 AND 366);
