-- Tamper evidence: a hash chain over each tenant's events (services/store/chain.py has the
-- definition). One row per stored event, written by the recorder in the event's own insert
-- transaction; `credledger verify` walks it. The API role has no grant; the workers may read.
CREATE TABLE IF NOT EXISTS event_chain (
    tenant_id text NOT NULL,
    notification_id bigint PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    prev bytea NOT NULL CHECK (octet_length(prev) = 32),
    link bytea NOT NULL CHECK (octet_length(link) = 32)
);
-- The recorder reads each tenant's last link on every insert; exports read a tenant's range.
CREATE INDEX IF NOT EXISTS event_chain_by_tenant ON event_chain (tenant_id, notification_id);

-- An operator's table like parked_events: the owner reads and appends (no UPDATE or DELETE
-- policy, so even the owner's role cannot rewrite a link by mistake), the workers may read.
ALTER TABLE event_chain ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_chain FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_reads ON event_chain;
CREATE POLICY owner_reads ON event_chain FOR SELECT TO CURRENT_USER USING (true);
DROP POLICY IF EXISTS owner_appends ON event_chain;
CREATE POLICY owner_appends ON event_chain FOR INSERT TO CURRENT_USER WITH CHECK (true);
DROP POLICY IF EXISTS workers_read ON event_chain;
CREATE POLICY workers_read ON event_chain FOR SELECT TO credledger_worker USING (true);
REVOKE ALL ON event_chain FROM PUBLIC;
GRANT SELECT ON event_chain TO credledger_worker;

-- The link as chain.link() computes it, so the database can chain what it already holds
-- (below) and a test can hold the two definitions to each other.
CREATE OR REPLACE FUNCTION event_chain_field(value bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN value IS NULL THEN int4send(-1) ELSE int4send(octet_length(value)) || value END $$;

CREATE OR REPLACE FUNCTION event_chain_link(
    prev bytea, tenant_id text, notification_id bigint, originator_id uuid, originator_version bigint,
    topic text, state bytea, actor_role text
) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sha256(
        convert_to('credledger-chain-v1', 'UTF8') || decode('00', 'hex') || prev
        || event_chain_field(convert_to(tenant_id, 'UTF8')) || int8send(notification_id)
        || uuid_send(originator_id) || int8send(originator_version)
        || event_chain_field(convert_to(topic, 'UTF8')) || event_chain_field(state)
        || event_chain_field(convert_to(actor_role, 'UTF8'))) $$;

-- Events stored before this migration: chain them now, in notification order per tenant,
-- after each tenant's last link (none on a first run). The table lock keeps writers out
-- until the migration commits, so none of them can chain onto a half-built chain.
LOCK TABLE credledger_events IN EXCLUSIVE MODE;
DO $$
DECLARE
    tenant text;
    prev bytea;
    last_id bigint;
    e record;
BEGIN
    FOR tenant IN SELECT DISTINCT ev.tenant_id FROM credledger_events ev LOOP
        SELECT c.link, c.notification_id INTO prev, last_id FROM event_chain c
            WHERE c.tenant_id = tenant ORDER BY c.notification_id DESC LIMIT 1;
        prev := coalesce(prev, decode(repeat('00', 32), 'hex'));
        FOR e IN
            SELECT ev.notification_id, ev.originator_id, ev.originator_version, ev.topic, ev.state, ev.actor_role
            FROM credledger_events ev
            WHERE ev.tenant_id = tenant AND ev.notification_id > coalesce(last_id, 0)
            ORDER BY ev.notification_id
        LOOP
            INSERT INTO event_chain (tenant_id, notification_id, originator_id, originator_version, prev, link)
            VALUES (tenant, e.notification_id, e.originator_id, e.originator_version, prev,
                    event_chain_link(prev, tenant, e.notification_id, e.originator_id, e.originator_version,
                                     e.topic, e.state, e.actor_role))
            RETURNING link INTO prev;
        END LOOP;
    END LOOP;
END
$$;
