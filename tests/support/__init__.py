"""Helpers for the tests: ports, service checks and private servers."""
