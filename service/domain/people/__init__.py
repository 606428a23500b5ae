"""Clients, their trusted persons and the workers who sign in."""
