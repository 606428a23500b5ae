"""Input errors that go back to the person who typed them, field by field."""

from __future__ import annotations


class ValidationError(ValueError):
    """errors maps a field name to a message in Finnish that says how to fix it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    pass
