"""Benchmarks (scripts, not tests): run from the repository root, e.g.
`.venv/bin/python -m bench.dispatch_overhead`. Results are in docs/performance.md."""
