"""Benchmarks: run as scripts, e.g. ``python bench/ingest.py``."""
