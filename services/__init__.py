"""credledger services: the application layer, the HTTP API, the relay and the runtime."""
