"""Read models. One module per view; handlers take a decoded event and its position and
know nothing of the transport, so the same code runs live from JetStream and in a rebuild."""
