"""The worker's inbox and the Today page's attention list."""
