-- Request fingerprints recorded with Idempotency-Keys are keyed hashes from now on ('h1:' + HMAC-SHA256
-- under a key derived from the master key). The older ones were plain SHA-256 of the request body, which
-- may carry a TIN or a date of birth: a guessable hash of personal data. They only make retries safe for
-- a short while, so they go; a retry of such a request now runs as a new command.
DELETE FROM idempotency_keys WHERE fingerprint NOT LIKE 'h1:%';
