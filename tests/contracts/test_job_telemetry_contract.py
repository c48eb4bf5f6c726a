"""One behaviour suite for every ``JobTelemetry``: the recording fake and Prometheus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from adapters.inbound.worker.monitor import JobTelemetry
from adapters.outbound.prometheus import names
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from tests.fakes.job_telemetry import RecordingJobTelemetry

QUEUE, JOB_TYPE = "enrichment", "enrich_area"
ENDINGS = ("succeeded", "failed", "retried")


@dataclass
class Subject:
    """A telemetry under test, and how to read back what it holds."""

    telemetry: JobTelemetry
    in_flight: Callable[[], float]
    count: Callable[[str], float]  # deliveries that ended so


def _fake() -> Subject:
    fake = RecordingJobTelemetry()
    return Subject(
        fake,
        lambda: fake.in_flight[(QUEUE, JOB_TYPE)],
        lambda ending: sum(1 for e in fake.endings if e == (QUEUE, JOB_TYPE, ending)),
    )


def _prometheus() -> Subject:
    metrics = PrometheusMetrics()
    labels = {"queue": QUEUE, "job_type": JOB_TYPE}
    series = {
        "succeeded": names.JOBS_SUCCEEDED,
        "failed": names.JOBS_FAILED,
        "retried": names.JOBS_RETRIED,
    }

    def value(name: str) -> float:
        return metrics.registry.get_sample_value(name, labels) or 0.0

    return Subject(
        metrics,
        lambda: value(names.JOBS_IN_FLIGHT),
        lambda ending: value(series[ending]),
    )


@pytest.fixture(params=["fake", "prometheus"])
def subject(request: pytest.FixtureRequest) -> Subject:
    return _fake() if request.param == "fake" else _prometheus()


def test_a_job_is_in_flight_between_start_and_end(subject: Subject) -> None:
    subject.telemetry.job_started(QUEUE, JOB_TYPE)
    subject.telemetry.job_started(QUEUE, JOB_TYPE)
    assert subject.in_flight() == 2
    subject.telemetry.job_ended(QUEUE, JOB_TYPE, "succeeded", 0.2)
    assert subject.in_flight() == 1
    subject.telemetry.job_ended(QUEUE, JOB_TYPE, "failed", 0.3)
    assert subject.in_flight() == 0


@pytest.mark.parametrize("ending", ENDINGS)
def test_each_ending_is_counted_under_its_own_name(subject: Subject, ending: str) -> None:
    for _ in range(3):
        subject.telemetry.job_started(QUEUE, JOB_TYPE)
        subject.telemetry.job_ended(QUEUE, JOB_TYPE, ending, 0.01)
    assert subject.count(ending) == 3
    assert all(subject.count(other) == 0 for other in ENDINGS if other != ending)
