"""Scheduling: the dispatch pass and the worker process that runs it on a timer."""
