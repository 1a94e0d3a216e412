"""The HTTP API (Litestar, msgspec), grouped by feature."""
