"""HTTP: the worker UI, the JSON API and the Twilio webhooks, each a thin blueprint."""
