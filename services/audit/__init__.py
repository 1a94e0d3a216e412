"""Audit bundles, in one place: export a tenant's events over a range of days with their hash-chain links and its
views as of the end (export.py), check a bundle offline (verify.py), and the `credledger export` / `verify`
commands (cli.py). The HTTP route that serves a bundle is services/api/audit_export_api.py."""
