"""One line of "why this stop", built from what scored it."""

from __future__ import annotations

from wildside.domain.scoring import ScoredPoi

_KIND_LABELS = {
    "tourism=museum": "a museum",
    "tourism=gallery": "a gallery",
    "tourism=artwork": "public art",
    "tourism=viewpoint": "a viewpoint",
    "tourism=attraction": "a local attraction",
    "amenity=place_of_worship": "a place of worship",
    "amenity=cafe": "a café",
    "amenity=restaurant": "a restaurant",
    "amenity=fountain": "a fountain",
    "amenity=theatre": "a theatre",
    "historic=memorial": "a memorial",
    "historic=monument": "a monument",
    "historic=castle": "a castle",
    "leisure=park": "a park",
    "leisure=garden": "a garden",
}


def reason_for(item: ScoredPoi) -> str:
    """Explain a stop in one line.

    Examples
    --------
    >>> from wildside.domain.scoring import Poi, score_poi
    >>> poi = Poi("node/1", "Ateneum", 60.17, 24.94, ("art", "culture"), 0.55,
    ...           {"tourism": "museum", "wikipedia": "fi:Ateneum"})
    >>> reason_for(score_poi(poi, {"art": 1.0}))
    'A museum; matches your interest in art; has a Wikipedia article.'
    """
    label = _KIND_LABELS.get(item.kind) or (
        item.kind.split("=", 1)[1].replace("_", " ") if "=" in item.kind else "a place"
    )
    parts = [label[0].upper() + label[1:]]
    if item.matched_themes:
        parts.append("matches your interest in " + " and ".join(item.matched_themes))
    tags = item.poi.tags
    if tags.get("heritage"):
        parts.append("a listed heritage site")
    if tags.get("wikipedia") or any(key.startswith("wikipedia:") for key in tags):
        parts.append("has a Wikipedia article")
    elif tags.get("wikidata"):
        parts.append("documented on Wikidata")
    return "; ".join(parts) + "."
