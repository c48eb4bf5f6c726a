"""Adapters: every framework and driver import of Wildside lives below here."""
