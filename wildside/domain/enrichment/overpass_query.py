"""Overpass QL for the POIs Wildside scores, from the same tag table ingestion uses."""

from __future__ import annotations

from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.poi_tags import tag_selectors

DEFAULT_TIMEOUT_S = 180
DEFAULT_MAXSIZE = 536_870_912  # 512 MiB, Overpass's own default memory limit


def overpass_query(
    job: EnrichmentJob, *, timeout_s: int = DEFAULT_TIMEOUT_S, maxsize: int = DEFAULT_MAXSIZE
) -> str:
    """One query: every node, way and relation with a matching tag, placed at its centre.

    Examples
    --------
    >>> from wildside.domain.enrichment.area import BoundingBox
    >>> q = overpass_query(EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("views",)))
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
