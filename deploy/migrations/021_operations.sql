-- Operations (/metrics): the webhook deliveries of every firm counted by status, and when the oldest still
-- pending was queued. SECURITY DEFINER like the readiness functions (012): the API role reads no other firm's
-- deliveries; the answers are counts of the whole service, no firm's data.
CREATE OR REPLACE FUNCTION webhook_delivery_counts()
    RETURNS TABLE (status text, deliveries bigint, oldest timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT status, count(*), min(created_at) FROM webhook_deliveries GROUP BY status $$;
REVOKE ALL ON FUNCTION webhook_delivery_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_delivery_counts() TO credledger_api;
