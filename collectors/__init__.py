"""Collectors: one module per source kind, a shared protocol, HTTP client, errors and store."""
