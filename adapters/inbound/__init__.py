"""Inbound (driving) adapters: CLI, HTTP, WebSocket and worker entry points."""
