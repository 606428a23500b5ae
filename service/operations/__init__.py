"""What operators watch: readiness, metrics, and logs without personal data."""
