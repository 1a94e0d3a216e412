-- The first event of each record, by tenant and kind: what a practitioner's registration reads to keep one record
-- per NPI in a firm (services/app/practitioners.py), and what a date correction of an organization's registration
-- reads to find its records (services/app/date_corrections.py). Without it both scanned the whole store. One
-- entry per record, not per event.
CREATE INDEX IF NOT EXISTS credledger_events_creations ON credledger_events (tenant_id, topic)
    WHERE originator_version = 1;
