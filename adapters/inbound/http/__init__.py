"""Litestar HTTP and WebSocket adapter: thin handlers over the use cases."""
