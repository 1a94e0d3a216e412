"""Webhooks: the firm's records and view changes delivered to its endpoints, signed, retried, recorded
(services/webhooks/worker.py runs them; services/api/webhooks.py manages the endpoints)."""
