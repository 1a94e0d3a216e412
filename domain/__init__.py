"""The credentialing domain: aggregates, value objects and rules. Pure Python, no I/O."""
