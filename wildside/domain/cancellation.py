"""Cancelling a route request: what a cancel does in each status, and the errors it answers."""

from __future__ import annotations

import enum

from wildside.domain.errors import ConflictError, WildsideError
from wildside.domain.route_status import RouteStatus

# The seed's status enum has no "cancelled": a cancelled request is failed with this error.
CANCELLED_ERROR = "cancelled"


class CancelDecision(enum.Enum):
    """What a cancel of a request in a given state does."""

    CANCEL = "cancel"  # queued or running: it ends now, failed with error "cancelled"
    NOTHING = "nothing"  # cancelled already: cancelling again changes nothing
    REFUSE = "refuse"  # succeeded, or failed for another reason: too late to cancel


def decide_cancel(status: RouteStatus, error: str | None) -> CancelDecision:
    """What cancelling a request that is ``status`` (with ``error``) does.

    Examples
    --------
    >>> decide_cancel(RouteStatus.RUNNING, None)
    <CancelDecision.CANCEL: 'cancel'>
    >>> decide_cancel(RouteStatus.FAILED, CANCELLED_ERROR)
    <CancelDecision.NOTHING: 'nothing'>
    >>> decide_cancel(RouteStatus.SUCCEEDED, None)
    <CancelDecision.REFUSE: 'refuse'>
    """
    if not status.is_terminal:
        return CancelDecision.CANCEL
    if status is RouteStatus.FAILED and error == CANCELLED_ERROR:
        return CancelDecision.NOTHING
    return CancelDecision.REFUSE


def cancellable_statuses() -> list[RouteStatus]:
    """The statuses a cancel ends (the stores' filter, decided here)."""
    return [s for s in RouteStatus if decide_cancel(s, None) is CancelDecision.CANCEL]


class RequestFinishedError(ConflictError):
    """A cancel arrived after the request had already succeeded or failed."""

    code = "route-request-finished"

    def __init__(self, message: str, *, status: RouteStatus) -> None:
        super().__init__(message)
        self.status = status


class JobCancelledError(WildsideError):
    """The request ended (cancelled) while its job ran: the job stops and is not retried."""

    code = CANCELLED_ERROR
