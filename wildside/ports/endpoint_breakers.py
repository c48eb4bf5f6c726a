"""Endpoint breakers port: may a call to an endpoint go out now, and what did it do."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from wildside.domain.enrichment.circuit_breaker import BreakerPolicy, BreakerState
from wildside.domain.errors import WildsideError


class CircuitOpenError(WildsideError):
    """The endpoint's circuit refused the call (open, or another caller holds the probe)."""

    code = "circuit-open"
    is_retryable = True

    def __init__(self, message: str, *, endpoint: str) -> None:
        super().__init__(message)
        self.endpoint = endpoint


@dataclass(slots=True)
class BreakerCall:
    """One guarded call's view of its endpoint's breaker.

    ``state`` is the shared state as this call last read or wrote it: after
    entering, the state that let it through (half-open for a probe); after
    leaving, the state its ending produced.
    """

    endpoint: str
    state: BreakerState


class EndpointBreakers(Protocol):
    """A circuit breaker per endpoint, its state shared by every worker process."""

    def state(self, endpoint: str) -> BreakerState:
        """The shared state now (closed if never written); changes nothing."""
        ...

    def guard(
        self,
        endpoint: str,
        policy: BreakerPolicy,
        is_failure: Callable[[BaseException], bool],
    ) -> AbstractContextManager[BreakerCall]:
        """Run one call to ``endpoint`` under its breaker.

        Entering raises ``CircuitOpenError`` (and the block does not run) when
        the circuit is open, or half-open with another caller's probe out;
        when the cool-down is over, the call that enters is the one probe.
        Leaving normally is a success; leaving by an exception is a failure if
        ``is_failure`` says so and a success otherwise (the endpoint answered).
        The exception always propagates unchanged.
        """
        ...
