"""Wildside core: walking-tour domain, ports and use cases, free of frameworks."""
