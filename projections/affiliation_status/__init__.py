"""The affiliation-status view: per practice, its POSC registration, MassHealth enrollment, plan affiliations,
rendering NPIs, open NPPES mismatches and sole-enrollment risk. ``handlers.py`` (with ``organization.py``, the
organization's side) folds events into its rows, ``schema.sql`` is its tables, and ``queries.py`` reads them."""
