"""Data protection: audit log, redaction, retention, export and erasure."""
