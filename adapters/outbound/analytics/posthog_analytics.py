"""``ProductAnalytics`` on PostHog: pseudonymous ids, no personal data, never blocking a request."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from posthog import Posthog

from wildside.ports.product_analytics import ProductAnalytics, Property, anonymous_id

log = logging.getLogger(__name__)


class PostHogProductAnalytics(ProductAnalytics):
    """Queues events in PostHog's client (a background thread sends them in batches).

    ``sync_mode`` sends each event at once (tests); ``close`` flushes what is queued.
    GeoIP is off: PostHog would otherwise derive a location from the server's address.
    """

    def __init__(self, api_key: str, host: str, *, sync_mode: bool = False) -> None:
        self._client = Posthog(
            api_key,
            host=host,
            sync_mode=sync_mode,
            disable_geoip=True,
            max_retries=2,
            timeout=5,
            on_error=lambda error, _batch: log.warning("PostHog rejected events: %s", error),
        )

    def capture(self, event: str, user_id: str, properties: Mapping[str, Property]) -> None:
        """Queue the event under the user's pseudonym; errors are logged, never raised."""
        try:
            self._client.capture(
                event, distinct_id=anonymous_id(user_id), properties=dict(properties)
            )
        except Exception as exc:  # analytics must never break a request or a job
            log.warning("PostHog capture of %s failed: %s", event, exc)

    def close(self) -> None:
        """Send what is queued and stop the sender thread."""
        try:
            self._client.shutdown()
        except Exception as exc:
            log.warning("PostHog shutdown failed: %s", exc)
