-- Events a projection could not apply after several deliveries, parked with their
-- aggregate's later events so the rest of the stream keeps flowing. An operator's
-- table: the workers see every tenant's rows (a policy for their role only); the
-- API role has no grant and only learns the count, through parked_event_count().
CREATE TABLE IF NOT EXISTS parked_events (
    projection text NOT NULL,
    stream_sequence bigint NOT NULL,
    tenant_id text,
    originator_id uuid,
    originator_version bigint,
    position bigint,
    subject text NOT NULL,
    error text NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream_sequence)
);
CREATE INDEX IF NOT EXISTS parked_events_aggregate ON parked_events (projection, originator_id);
ALTER TABLE parked_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE parked_events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS workers_see_all ON parked_events;
CREATE POLICY workers_see_all ON parked_events TO credledger_worker USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS owner_reads ON parked_events;
CREATE POLICY owner_reads ON parked_events FOR SELECT TO CURRENT_USER USING (true);
GRANT SELECT, INSERT, DELETE ON parked_events TO credledger_worker;

CREATE OR REPLACE FUNCTION parked_event_count() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT count(*) FROM parked_events $$;
REVOKE ALL ON FUNCTION parked_event_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parked_event_count() TO credledger_api;
GRANT SELECT ON credledger_events TO credledger_worker;  -- retries and rebuilds read the store
