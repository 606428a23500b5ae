"""What a client answers: reading a reply and acting on it."""
