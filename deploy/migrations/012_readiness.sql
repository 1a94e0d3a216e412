-- Readiness (/health/ready): whether the relay and each projection worker runs, and how far each is
-- behind the store. SECURITY DEFINER: the API role reads neither the store, nor the tracking tables, nor
-- the relay's position; the answers are counts and positions of the whole store, no tenant's data.

-- The store's position: its highest notification id (0 when empty). One index lookup.
CREATE OR REPLACE FUNCTION store_position() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce(max(notification_id), 0) FROM credledger_events $$;

-- Does a session hold the advisory lock ``pg_try_advisory_lock(hashtext(lock_name))`` (services/singleton.py)?
-- The relay and each projection worker hold theirs for as long as they run, on their connection, so a
-- worker that died (its connection closed) no longer does. A bigint key is kept in pg_locks as its high
-- (classid) and low (objid) 32 bits, with objsubid 1.
CREATE OR REPLACE FUNCTION worker_lock_held(lock_name text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((classid::bigint << 32) | objid::bigint) = hashtext(lock_name)::bigint
    )
    $$;

-- The relay's position (what JetStream acknowledged last) and the events it has still to publish.
CREATE OR REPLACE FUNCTION relay_lag(stream_name text) RETURNS TABLE (tracked bigint, lag bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    WITH relay AS (
        SELECT coalesce((SELECT notification_id FROM relay_position WHERE stream = stream_name), 0) AS at
    )
    SELECT relay.at, greatest(store_position() - relay.at, 0) FROM relay
    $$;

-- A view's position and the events it has still to apply: of its aggregate kinds, past its tracked
-- position, not parked. A view's position moves only with the events it consumes, so "the store's last
-- id minus the view's" would report a view as behind after events it never takes (access logs, other
-- kinds). The count stops at ``cap``: past the readiness limit the exact number does not matter, and the
-- probe stays cheap however far behind a view is.
CREATE OR REPLACE FUNCTION view_lag(view_name text, kinds text[], cap bigint) RETURNS TABLE (tracked bigint, lag bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    WITH tracking AS (
        SELECT coalesce((SELECT notification_id FROM projection_tracking WHERE projection = view_name), 0) AS at
    )
    SELECT tracking.at, (
        SELECT count(*) FROM (
            SELECT 1 FROM credledger_events AS e
            WHERE e.notification_id > tracking.at
              AND split_part(split_part(e.topic, ':', 1), '.', 2) = ANY(kinds)
              AND NOT EXISTS (
                  SELECT 1 FROM parked_events AS p WHERE p.projection = view_name AND p.position = e.notification_id
              )
            LIMIT cap
        ) AS behind
    )
    FROM tracking
    $$;

REVOKE ALL ON FUNCTION store_position() FROM PUBLIC;
REVOKE ALL ON FUNCTION worker_lock_held(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION relay_lag(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION view_lag(text, text[], bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store_position() TO credledger_api;
GRANT EXECUTE ON FUNCTION worker_lock_held(text) TO credledger_api;
GRANT EXECUTE ON FUNCTION relay_lag(text) TO credledger_api;
GRANT EXECUTE ON FUNCTION view_lag(text, text[], bigint) TO credledger_api;
