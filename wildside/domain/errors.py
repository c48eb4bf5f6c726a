"""The Wildside exception tree: one root, stable codes, facts as attributes."""

from __future__ import annotations


class WildsideError(Exception):
    """Root of every error Wildside raises on purpose.

    Each subclass carries a stable machine-readable ``code`` (used as the
    problem ``type`` suffix over HTTP and in CLI messages) and says whether a
    retry could help (``is_retryable``).
    """

    code: str = "wildside-error"
    is_retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(WildsideError):
    """The caller supplied a value the domain cannot accept."""

    code = "invalid-input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfigurationError(WildsideError):
    """A setting is missing or malformed."""

    code = "configuration-error"

    def __init__(self, message: str, *, variable: str) -> None:
        super().__init__(message)
        self.variable = variable


class UnavailableError(WildsideError):
    """A backing service (database, cache, queue) could not be reached."""

    code = "service-unavailable"
    is_retryable = True

    def __init__(self, message: str, *, service: str) -> None:
        super().__init__(message)
        self.service = service
