"""Randomness from the operating system: request ids, secrets and jitter."""

from __future__ import annotations

import random
import secrets
import uuid

from wildside.ports.id_generator import IdGenerator
from wildside.ports.jitter import Jitter
from wildside.ports.secret_source import SecretSource


class UuidIdGenerator(IdGenerator):
    """Random (version 4) UUIDs."""

    def new_id(self) -> str:
        """Return ``str(uuid.uuid4())``."""
        return str(uuid.uuid4())


class OsSecretSource(SecretSource):
    """``secrets.token_bytes``: the OS's cryptographic generator."""

    def token_bytes(self, count: int) -> bytes:
        """Return ``count`` random bytes."""
        return secrets.token_bytes(count)


class RandomJitter(Jitter):
    """A private ``random.Random`` (jitter need not be cryptographic)."""

    def __init__(self) -> None:
        self._random = random.Random()

    def uniform(self, low: float, high: float) -> float:
        """Return a uniform number in ``[low, high]``."""
        return self._random.uniform(low, high)
