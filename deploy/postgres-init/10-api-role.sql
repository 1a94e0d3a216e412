-- Run by the postgres image once, when it initializes an empty data volume.
-- The image requires a password for TCP logins, and migration 001 creates
-- credledger_api without one (it leaves an existing role as is), so create
-- the role here with CREDLEDGER_API_DB_PASSWORD from the container env.
-- An existing volume skips this; set the password by hand instead:
--   docker compose exec postgres psql -U credledger -d credledger \
--     -c "ALTER ROLE credledger_api PASSWORD '...'"
\getenv api_password CREDLEDGER_API_DB_PASSWORD
\if :{?api_password}
CREATE ROLE credledger_api LOGIN PASSWORD :'api_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
\else
DO $$ BEGIN RAISE EXCEPTION 'CREDLEDGER_API_DB_PASSWORD is not set in the postgres service'; END $$;
\endif
