"""Prometheus metrics: one registry, every metric name and label in one place."""
