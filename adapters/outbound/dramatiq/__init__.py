"""Dramatiq on Redis: the broker and the job queue adapter."""
