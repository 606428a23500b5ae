"""Appointments and pending applications: register, change, cancel."""
