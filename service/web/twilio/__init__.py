"""Twilio's webhooks: inbound texts, status callbacks and voice calls, all signed."""
