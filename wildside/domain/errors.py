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


class NotFoundError(WildsideError):
    """The thing asked for does not exist, or the caller may not know that it does."""

    code = "not-found"


class AuthenticationError(WildsideError):
    """The caller is not who they claim, or claimed nothing."""

    code = "unauthenticated"


class PermissionDeniedError(WildsideError):
    """The caller is known but may not do this."""

    code = "forbidden"


class ConflictError(WildsideError):
    """The request contradicts the stored state."""

    code = "conflict"


class IdempotencyConflictError(ConflictError):
    """An ``Idempotency-Key`` was reused with a different payload inside its window."""

    code = "idempotency-key-conflict"

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class RateLimitedError(WildsideError):
    """The caller used up their request quota; ``retry_after_s`` says when to come back."""

    code = "rate-limited"
    is_retryable = True

    def __init__(self, message: str, *, retry_after_s: int, limit: int, reset_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.limit = limit
        self.reset_s = reset_s


class JobTimeoutError(WildsideError):
    """A background job ran past its time limit."""

    code = "timeout"


class InvalidCursorError(InvalidInputError):
    """A paging cursor that was altered, truncated or made for another query."""

    code = "invalid-cursor"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="cursor")
