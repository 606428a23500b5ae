"""When reminders go out: schedule rules, send times, fallbacks, reminder states."""
