"""Calendar and clock rules: local dates, sending windows, working days."""
