"""Enrichment areas, dedup keys, and the Overpass query built from the tag table."""

from __future__ import annotations

import pytest

from tests.support import defaults
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob, is_sparse
from wildside.domain.enrichment.overpass_query import overpass_query
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint


def test_a_box_around_a_point_contains_the_circle() -> None:
    box = BoundingBox.around(GeoPoint(60.17, 24.94), 1000.0)
    assert box.north - 60.17 == pytest.approx(0.008993, rel=1e-3)
    assert 24.94 - box.west == pytest.approx(0.008993 / 0.4970, rel=1e-2)  # cos 60.17°


@pytest.mark.parametrize(
    "values",
    [(60.2, 24.9, 60.1, 25.0), (60.1, 25.0, 60.2, 24.9), (95, 0, 96, 1), (0, 0, 1, 1)],
)
def test_bad_boxes_are_refused(values: tuple[float, float, float, float]) -> None:
    with pytest.raises(InvalidInputError):
        BoundingBox(*values)


def test_dedup_keys_group_a_neighbourhood_and_its_themes() -> None:
    box = BoundingBox(60.161, 24.931, 60.181, 24.961)
    nearby = BoundingBox(60.1612, 24.9309, 60.1808, 24.9612)
    assert EnrichmentJob(box, ("art",)).dedup_key == EnrichmentJob(nearby, ("art",)).dedup_key
    assert EnrichmentJob(box, ("art",)).dedup_key != EnrichmentJob(box, ("food",)).dedup_key
    far = BoundingBox(60.261, 24.931, 60.281, 24.961)
    assert EnrichmentJob(box).dedup_key != EnrichmentJob(far).dedup_key


def test_jobs_round_trip_and_refuse_garbage() -> None:
    job = EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("history", "nature"))
    assert EnrichmentJob.from_document(job.to_document()) == job
    with pytest.raises(InvalidInputError):
        EnrichmentJob.from_document({"bbox": {"south": "x"}})
    with pytest.raises(InvalidInputError):
        EnrichmentJob(job.bbox, ("dragons",))


def test_the_query_asks_for_every_matching_tag_with_centres() -> None:
    query = overpass_query(
        EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("history",)),
        timeout_s=25,
        maxsize=defaults.enrichment_settings().maxsize,
    )
    lines = query.splitlines()
    assert lines[0] == "[out:json][timeout:25][maxsize:536870912];"
    assert lines[-1] == "out center tags;"
    assert '  nwr["historic"](60.1600000,24.9300000,60.1800000,24.9600000);' in lines
    assert not any('"historic"="memorial"' in line for line in lines)  # the wildcard covers it
    assert not any('"amenity"="cafe"' in line for line in lines)  # food is not history


def test_sparse_means_below_the_threshold() -> None:
    assert is_sparse(19, 20)
    assert not is_sparse(20, 20)
