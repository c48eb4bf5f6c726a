"""Overpass QL for the POIs Wildside scores, from the same tag table ingestion uses."""

from __future__ import annotations

from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.poi_tags import tag_selectors


def overpass_query(job: EnrichmentJob, *, timeout_s: int, maxsize: int) -> str:
    """One query: every node, way and relation with a matching tag, placed at its centre.

    ``timeout_s`` and ``maxsize`` are the server's own limits, asked for in the
    query (``WILDSIDE_OVERPASS_TIMEOUT_S``, ``WILDSIDE_OVERPASS_MAXSIZE``).

    Examples
    --------
    >>> from wildside.domain.enrichment.area import BoundingBox
    >>> job = EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("views",))
    >>> q = overpass_query(job, timeout_s=180, maxsize=536_870_912)
    >>> q.splitlines()[0]
    '[out:json][timeout:180][maxsize:536870912];'
    >>> 'nwr["tourism"="viewpoint"](60.1600000,24.9300000,60.1800000,24.9600000);' in q
    True
    """
    box = job.bbox.as_overpass()
    lines = [f"[out:json][timeout:{timeout_s}][maxsize:{maxsize}];", "("]
    for key, value in tag_selectors(job.themes):
        selector = f'["{key}"]' if value is None else f'["{key}"="{value}"]'
        lines.append(f"  nwr{selector}({box});")
    lines += [");", "out center tags;"]
    return "\n".join(lines)
