"""Messaging: the JetStream subjects and streams events travel on, the relay that publishes the store's events in
commit order, and the advisory lock that keeps one relay or worker active per role. With ``services.store`` it is
the low layer that the application service and the projections both build on."""
