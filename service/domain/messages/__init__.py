"""What a client receives: templates, rendering, SMS encoding, delivery outcomes."""
