"""Cooldown port: do something at most once per window, across every process."""

from __future__ import annotations

from typing import Protocol


class Cooldown(Protocol):
    """A set of keys that expire."""

    def claim(self, key: str, ttl_s: float) -> bool:
        """True for the first claim of ``key`` within ``ttl_s``; False while it lasts."""
        ...
