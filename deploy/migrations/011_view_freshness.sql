-- Read-your-writes: has a view taken in every event up to a store position? A command answers the
-- position of its last event (the Credledger-Position header); GET /v1/views/freshness waits on this.
--
-- A view's tracked position is the highest notification id it has applied; events it does not consume
-- (other aggregate kinds, e.g. access logs) move it only while its worker is idle, so a position past it is still
-- reached when no event of its kinds lies in between, or only parked ones (they will not be applied
-- until `credledger parked --retry`). Delivery is in store order, so the tracked position also covers
-- every earlier event; only after a worker crash can an event below it be waiting for redelivery.
--
-- SECURITY DEFINER: the API role reads neither the store nor the tracking table. The answer is a
-- boolean about the whole store: it says nothing of any tenant's data.
CREATE OR REPLACE FUNCTION view_reached(view_name text, kinds text[], awaited bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    WITH tracked AS (
        SELECT coalesce((SELECT notification_id FROM projection_tracking WHERE projection = view_name), 0) AS at
    )
    -- A position not stored yet is never reached: events committed later may still take ids up to it.
    SELECT awaited <= (SELECT coalesce(max(notification_id), 0) FROM credledger_events)
       AND (tracked.at >= awaited OR NOT EXISTS (
        SELECT 1 FROM credledger_events AS e
        WHERE e.notification_id > tracked.at AND e.notification_id <= awaited
          AND split_part(split_part(e.topic, ':', 1), '.', 2) = ANY(kinds)
          AND NOT EXISTS (
              SELECT 1 FROM parked_events AS p WHERE p.projection = view_name AND p.position = e.notification_id
          )
    ))
    FROM tracked
    $$;
REVOKE ALL ON FUNCTION view_reached(text, text[], bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION view_reached(text, text[], bigint) TO credledger_api;

-- The store's head: what "fresh now" waits for when a client names no position (a dashboard after a load).
CREATE OR REPLACE FUNCTION store_head() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce(max(notification_id), 0) FROM credledger_events $$;
REVOKE ALL ON FUNCTION store_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store_head() TO credledger_api;
