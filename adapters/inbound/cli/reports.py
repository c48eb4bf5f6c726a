"""What ``wildside ingest`` and ``wildside rebuild-tiles`` print when they finish."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from wildside.app.ingest_osm_extract import IngestReport
from wildside.app.rebuild_walk_tiles import TileRebuildReport


def render_ingest(path: Path, report: IngestReport, *, as_json: bool) -> str:
    """The ingest report: a few lines for people, or one JSON object."""
    if as_json:
        return json.dumps(dataclasses.asdict(report), separators=(",", ":"))
    return "\n".join(
        [
            f"ingested {path}",
            f"  POIs: {report.pois_total} ({report.pois_inserted} inserted, "
            f"{report.pois_updated} updated, {report.pois_unchanged} unchanged)",
            f"  walking network: {report.network_nodes} nodes, {report.network_edges} edges",
            f"  elapsed: {report.seconds:.2f} s",
        ]
    )


def render_rebuild(report: TileRebuildReport, *, as_json: bool) -> str:
    """The tile-rebuild report: a few lines for people, or one JSON object."""
    if as_json:
        return json.dumps(dataclasses.asdict(report), separators=(",", ":"))
    return "\n".join(
        [
            f"rebuilt {report.tiles_written} walking-graph tiles (version {report.version})",
            f"  removed {report.tiles_removed} tiles of cells with no walking network",
            f"  elapsed: {report.seconds:.2f} s",
        ]
    )
