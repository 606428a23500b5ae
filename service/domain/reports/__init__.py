"""The service-path view's figures, without personal data."""
