-- The exclusion lists themselves (OIG LEIE, SAM.gov extract): reference data every tenant screens against, so no
-- tenant_id and no row-level security. Each imported file is an edition, known by its SHA-256 (the same file
-- twice is one edition); its rows are stored with it in one transaction, all or nothing (services/lists/).
CREATE TABLE IF NOT EXISTS exclusion_list_editions (
    edition_id uuid PRIMARY KEY,
    source text NOT NULL,  -- oig_leie or sam
    layout text NOT NULL,  -- leie, sam_v2 or sam_v1 (domain/exclusion_lists.py)
    file_date date NOT NULL,  -- the publisher's date of the file
    file_name text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    row_count integer NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    imported_by text NOT NULL  -- "cli", or the firm and user that uploaded it
);

CREATE TABLE IF NOT EXISTS exclusion_list_entries (
    edition_id uuid NOT NULL REFERENCES exclusion_list_editions ON DELETE CASCADE,
    line integer NOT NULL,  -- in the file (the header is line 1)
    entity boolean NOT NULL,
    last_name text,
    first_name text,
    middle_name text,
    business_name text,
    name_key text NOT NULL,  -- normalised for matching (domain/exclusion_lists.py: name_key)
    npi text,
    dob_digest text,  -- a keyed digest of the listed date of birth: compared, never shown
    state text,
    exclusion_type text,
    excluded_on date,
    ends_on date,
    reinstated_on date,
    waiver_on date,
    waiver_state text,
    record_id text,  -- SAM Number, or the LEIE's UPIN
    PRIMARY KEY (edition_id, line)
);
CREATE INDEX IF NOT EXISTS exclusion_list_entries_by_npi ON exclusion_list_entries (edition_id, npi)
    WHERE npi IS NOT NULL;
CREATE INDEX IF NOT EXISTS exclusion_list_entries_by_name ON exclusion_list_entries (edition_id, name_key);

GRANT SELECT ON exclusion_list_editions, exclusion_list_entries TO credledger_api;
