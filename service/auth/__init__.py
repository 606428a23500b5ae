"""Signing workers in: passwords, sessions, API tokens."""
