"""What a text or a call says: templates, rendering in the reader's language, SMS encoding."""
