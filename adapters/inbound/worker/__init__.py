"""Dramatiq worker: thin, idempotent actors over the job use cases, and the worker process."""
