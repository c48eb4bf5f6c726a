"""The session cookie backend: Litestar's AES-GCM cookies; an unreadable cookie is no session."""

from __future__ import annotations

import binascii
import logging
from typing import Any

from cryptography.exceptions import InvalidTag
from litestar.connection import ASGIConnection
from litestar.exceptions import SerializationException
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig

log = logging.getLogger(__name__)

# What Litestar's ``load_data`` raises on a cookie it did not write: bad base64
# (binascii.Error), an associated-data part that is not JSON
# (SerializationException), JSON without ``expires_at`` or of the wrong shape
# (LookupError, TypeError, ValueError), a bad tag (InvalidTag). Litestar itself
# only suppresses the first and the last, so one edited character in a real
# cookie used to be a 500 on every path.
_UNREADABLE = (
    binascii.Error,
    InvalidTag,
    SerializationException,
    LookupError,
    TypeError,
    ValueError,
)


class TolerantCookieBackend(ClientSideSessionBackend):
    """Encrypted, signed cookie sessions; a cookie that does not decrypt is an anonymous caller."""

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        """The session, or ``{}`` when there is no cookie or it cannot be read.

        The value is never logged: an unreadable cookie may still be someone's secret.
        """
        cookie_keys = self.get_cookie_keys(connection)
        if not cookie_keys:
            return {}
        try:
            data = [connection.cookies[key].encode("utf-8") for key in cookie_keys]
            return self.load_data(data)
        except _UNREADABLE as exc:
            # Debug only: after a key rotation every old cookie lands here.
            log.debug("ignored an unreadable session cookie (%s)", type(exc).__name__)
            return {}


class TolerantCookieConfig(CookieBackendConfig):
    """``CookieBackendConfig`` whose middleware uses :class:`TolerantCookieBackend`."""

    _backend_class = TolerantCookieBackend
