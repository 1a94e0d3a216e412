"""The engine of the read side: what runs every view, and knows none of them.

It feeds stored events to a view's handlers and writes the rows they fold, exactly once: live from a durable
JetStream pull consumer (worker, pull, tracking), on a parked event's retry (parked), and from the event store
into a fresh schema to rebuild a view or to keep it as of a past date (builder, rebuild, replay, routes). The
handlers fold events into rows in memory (rows, row_sql), dispatched by event class (dispatch), with the
events' text made safe first (view_text). The registry names the views (one folder each beside this one:
handlers, DDL, queries) and finds each one's DDL; paging is the shape of a page request the views' queries take.

It imports the domain and the low layers (services.store, services.messaging), never the API, the application
service or the command line.
"""
