"""What the HTTP adapter needs from the rest of the system (the composition root provides it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wildside.app.accounts import Accounts
from wildside.app.cancel_route import CancelRoute
from wildside.app.find_places import FindPlaces
from wildside.app.follow_route_status import FollowRouteStatus
from wildside.app.get_route import GetRoute
from wildside.app.guide_walk import GuideWalk
from wildside.app.list_enrichment_jobs import ListEnrichmentJobs
from wildside.app.list_routes import ListRoutes
from wildside.app.preferences import UserPreferences
from wildside.app.saved_routes import SavedRoutes
from wildside.app.submit_route import SubmitRoute
from wildside.app.vector_tiles import VectorTiles
from wildside.ports.health_probe import HealthProbe


class Telemetry(Protocol):
    """HTTP and WebSocket measurements, and the Prometheus exposition."""

    content_type: str

    def request_finished(self, path: str, method: str, status: int, seconds: float) -> None:
        """Count one response (``path`` is the route template)."""
        ...

    def websocket_opened(self) -> None:
        """A WebSocket was accepted."""
        ...

    def websocket_closed(self) -> None:
        """An accepted WebSocket ended."""
        ...

    def websocket_message(self, direction: str) -> None:
        """A message was ``sent`` or ``received``."""
        ...

    def render(self) -> bytes:
        """Every metric of this process, Prometheus text format."""
        ...


@dataclass(frozen=True, slots=True)
class HttpServices:
    """The use cases and probes behind the API, opened for the app's lifetime."""

    submit_route: SubmitRoute
    get_route: GetRoute
    follow_route: FollowRouteStatus
    accounts: Accounts
    list_enrichment: ListEnrichmentJobs
    probes: Sequence[HealthProbe]
    telemetry: Telemetry
    guide_walk: GuideWalk  # live guidance over /ws
    find_places: FindPlaces
    cancel_route: CancelRoute
    list_routes: ListRoutes
    saved_routes: SavedRoutes
    preferences: UserPreferences
    vector_tiles: VectorTiles  # /tiles: the map's vector tiles and TileJSON


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Knobs of the HTTP layer; see ``docs/operations.md``.

    All but ``retry_after_s`` come from settings (the composition root's
    ``http_settings``) and have no default here.
    """

    session_key: bytes  # 64 bytes read from the configured secret file
    cookie_secure: bool
    session_max_age_s: int
    max_body_bytes: int
    request_timeout_s: float
    allowed_origins: tuple[str, ...]  # besides the request's own, for cookie WebSockets
    ws_auth_recheck_s: float  # an open socket's credential is checked this often
    tile_cors_origins: tuple[str, ...]  # pages of these origins may read /tiles ("*": any)
    tile_cors_max_age_s: int  # how long a browser keeps a tile preflight's answer
    retry_after_s: int = 1  # what GET tells a client to wait while a route is pending
