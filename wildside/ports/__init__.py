"""Ports: one ``typing.Protocol`` per capability, with its DTOs and errors."""
