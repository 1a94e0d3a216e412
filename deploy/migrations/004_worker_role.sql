-- The projection workers write read models as credledger_worker: not an owner,
-- not a superuser, no BYPASSRLS, so the forced row-level security applies to
-- their writes too (a worker that forgot to set the tenant writes nothing).
-- The service's own role switches to it with SET ROLE after connecting.
-- Roles are cluster-wide: two databases migrating at once race as in 001.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'credledger_worker') THEN
        CREATE ROLE credledger_worker NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
GRANT credledger_worker TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO credledger_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON projection_versions, projection_tracking TO credledger_worker;
