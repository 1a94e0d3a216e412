-- Business days (issue 13): the views show the day each fact took effect, no longer the moment it was
-- recorded. Events recorded before this change carry no business day; the store reads them as having taken
-- effect the Massachusetts day they were recorded (their event classes' upcasters). So, in a store that has
-- views already, each recorded timestamp becomes that same day here, as a rebuild would compute it.
-- Replay snapshots (schemas snapshot_<name>) hold the same tables and are converted alike. On a fresh database
-- the views' tables do not exist yet (they are created after the migrations): nothing to do.
DO $$
DECLARE
    renames text[][] := ARRAY[
        ['access_audit_organizations', 'primary_user_since', 'primary_user_since'],
        ['access_audit_organizations', 'registered_at', 'registered_on'],
        ['access_audit_accounts', 'deactivated_at', 'deactivated_on'],
        ['access_audit_accounts', 'access_since', 'access_since'],
        ['access_audit_accounts', 'opened_at', 'opened_on'],
        ['access_audit_grants', 'granted_at', 'granted_on'],
        ['access_audit_grants', 'ended_at', 'ended_on'],
        ['access_audit_primary_terms', 'started_at', 'started_on'],
        ['access_audit_primary_terms', 'ended_at', 'ended_on'],
        ['access_audit_modifications', 'opened_at', 'opened_on'],
        ['affiliation_status', 'registered_at', 'registered_on']
    ];
    r text[];
    found record;
BEGIN
    FOREACH r SLICE 1 IN ARRAY renames LOOP
        FOR found IN SELECT table_schema FROM information_schema.columns
                     WHERE (table_schema = 'public' OR table_schema LIKE 'snapshot\_%') AND table_name = r[1]
                       AND column_name = r[2] AND data_type = 'timestamp with time zone' LOOP
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE date USING (%I AT TIME ZONE %L)::date',
                           found.table_schema, r[1], r[2], r[2], 'America/New_York');
            IF r[2] <> r[3] THEN
                EXECUTE format('ALTER TABLE %I.%I RENAME COLUMN %I TO %I', found.table_schema, r[1], r[2], r[3]);
            END IF;
        END LOOP;
    END LOOP;
END
$$;

-- A replay snapshot is the views as of a business day (as_of keeps the end of that day, Massachusetts time, the
-- moment its date-based rules take as "now"), and, when asked, as the firm knew them at a moment (known_at).
ALTER TABLE view_snapshots ADD COLUMN IF NOT EXISTS known_at timestamptz;

-- The digest of each view's DDL (projections/<view>/schema.sql) its tables were last built with: when a view's
-- tables change shape (this change adds the access audit's reviews and deactivations), `credledger migrate`
-- rebuilds it from the store, so no view is ever read half-filled (services/migrate.py).
CREATE TABLE IF NOT EXISTS view_schemas (
    view text PRIMARY KEY,
    digest text NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now()
);
