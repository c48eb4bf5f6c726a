"""Outbound (driven) adapters: databases, caches, files and external services."""
