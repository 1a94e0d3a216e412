"""The turnaround view: per application, the Massachusetts business days from submission to decision, and
the metrics and aging over them. ``handlers.py`` folds events into its rows (the facts), ``schema.sql`` is its
tables, and ``queries.py`` reads them, applying the SLA targets and counting open applications' days at query
time."""
