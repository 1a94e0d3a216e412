"""Read models. ``engine/`` runs them; each view is a folder of its own (``access_audit/``,
``affiliation_status/``, ``turnaround/``): its handlers, its DDL and its queries. Handlers take a decoded
event and its position and know nothing of the transport, so the same code runs live from JetStream and in a
rebuild."""
