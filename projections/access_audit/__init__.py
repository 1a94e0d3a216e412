"""The access-audit view: who holds which POSC access to each practice, and what a compliance auditor would
flag about it. ``handlers.py`` folds events into its rows (the facts), ``schema.sql`` is its tables, and
``queries.py`` reads them, deriving the findings at query time."""
