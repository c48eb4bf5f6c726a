"""The composition root: settings in, wired services out. Nothing else wires adapters."""

from adapters.composition.engine import (
    build_ingest,
    build_plan_tour,
    build_rebuild_tiles,
    load_street_network,
    local_servers,
)
from adapters.composition.runtime import Runtime, open_runtime

__all__ = [
    "Runtime",
    "build_ingest",
    "build_plan_tour",
    "build_rebuild_tiles",
    "load_street_network",
    "local_servers",
    "open_runtime",
]
