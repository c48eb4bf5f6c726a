"""Secret source port: cryptographically strong random bytes (tokens, salts)."""

from __future__ import annotations

from typing import Protocol


class SecretSource(Protocol):
    """Randomness for secrets, injected so tests can make it predictable."""

    def token_bytes(self, count: int) -> bytes:
        """Return ``count`` random bytes."""
        ...
