"""The chart's optional redis_exporters: objects, scrape, and the alerts reading them."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.chart import (
    CHART_DIR,
    KUBE_VERSION,
    NAMESPACE,
    VALUE_SETS,
    Rendered,
    component,
    container,
    helm,
    parse_manifests,
    render,
    render_text,
    validate_crds,
)

QUEUE, CACHE = component("redis-queue-exporter"), component("redis-cache-exporter")
MONITORED = (
    "--set",
    "monitoring.serviceMonitor.enabled=true",
    "--set",
    "monitoring.prometheusRule.enabled=true",
)
EXPORTERS_ON = ("--set", "redisExporter.enabled=true", *MONITORED)
CACHE_URL = ("--set", "secrets.redisCacheUrl=redis://redis-cache:6379/0")


def _render(*args: str) -> Rendered:
    return Rendered("custom", parse_manifests(render_text(*args)))


def _rules(rendered: Rendered) -> dict[str, dict[str, Any]]:
    return {
        rule["alert"]: rule
        for rule_object in rendered.of_kind("PrometheusRule")
        for group in rule_object["spec"]["groups"]
        for rule in group["rules"]
    }


def _secret_ref(box: dict[str, Any], variable: str) -> tuple[str, str]:
    (entry,) = [e for e in box["env"] if e["name"] == variable]
    ref = entry["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_no_exporter_unless_asked(value_set: str, helm_path: str) -> None:
    # Given a value set that leaves redisExporter off (the default)
    rendered = render(value_set)
    # Then no exporter is deployed or scraped
    for kind in ("Deployment", "Service", "ServiceMonitor"):
        assert not {QUEUE, CACHE} & rendered.names(kind), kind
    # And the eviction alerts keep the operator's selectors (production: Bitnami's exporters)
    rules = _rules(rendered)
    if value_set == "production":
        assert 'service="redis-queue-metrics"' in rules["WildsideRedisEvictions"]["expr"]
        assert 'service="redis-cache-metrics"' in rules["WildsideRedisCacheEvictions"]["expr"]


def test_each_role_gets_an_exporter_reading_the_apps_secret_key(helm_path: str) -> None:
    # Given the exporters on, with a queue and a cache URL
    rendered = _render(*EXPORTERS_ON, *CACHE_URL)
    worker = container(rendered.get("Deployment", component("worker")), "worker")
    app_keys = {
        QUEUE: _secret_ref(worker, "WILDSIDE_REDIS_URL"),
        CACHE: _secret_ref(worker, "WILDSIDE_REDIS_CACHE_URL"),
    }
    assert app_keys[QUEUE] != app_keys[CACHE]
    for name, app_key in app_keys.items():
        deployment = rendered.get("Deployment", name)
        box = container(deployment, "redis-exporter")
        # Then each runs the pinned redis_exporter on REDIS_ADDR from the app's own Secret key
        image, tag = box["image"].rsplit(":", 1)
        assert (image, tag) == ("oliver006/redis_exporter", "v1.88.0")
        assert _secret_ref(box, "REDIS_ADDR") == app_key
        # And listens on its named metrics port, probed on /health
        assert {p["name"]: p["containerPort"] for p in box["ports"]} == {"metrics": 9121}
        assert box["livenessProbe"]["httpGet"] == {"path": "/health", "port": "metrics"}
        # And runs as non-root on a read-only root file system, with resources
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert box["securityContext"]["readOnlyRootFilesystem"] is True
        assert {"requests", "limits"} <= set(box["resources"])
        # And its Service selects exactly its pods, on the metrics port
        service = rendered.get("Service", name)
        selector = service["spec"]["selector"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
        assert selector == deployment["spec"]["selector"]["matchLabels"]
        assert [(p["name"], p["targetPort"]) for p in service["spec"]["ports"]] == [
            ("metrics", "metrics")
        ]


def test_the_exporters_are_scraped_and_the_eviction_alerts_read_them(helm_path: str) -> None:
    # Given the exporters and monitoring on, with no selector of the operator's
    rendered = _render(*EXPORTERS_ON, *CACHE_URL)
    monitors = {m["metadata"]["name"]: m for m in rendered.of_kind("ServiceMonitor")}
    rules = _rules(rendered)
    for name, alert in ((QUEUE, "WildsideRedisEvictions"), (CACHE, "WildsideRedisCacheEvictions")):
        # Then a ServiceMonitor scrapes each exporter's Service on its metrics port
        service = rendered.get("Service", name)
        selector = monitors[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= service["metadata"]["labels"].items()
        (endpoint,) = monitors[name]["spec"]["endpoints"]
        assert (endpoint["port"], endpoint["path"]) == ("metrics", "/metrics")
        # And the alert selects the series that scrape produces (job = the Service's name)
        expr = rules[alert]["expr"]
        assert f'redis_evicted_keys_total{{job="{name}",namespace="{NAMESPACE}"}}' in expr
    # And the queue's evictions still page, the cache's still warn
    assert rules["WildsideRedisEvictions"]["labels"]["severity"] == "critical"
    assert rules["WildsideRedisCacheEvictions"]["labels"]["severity"] == "warning"


def test_without_a_cache_instance_only_the_queue_is_exported(helm_path: str) -> None:
    # Given the exporters on, but the route cache sharing the queue instance
    rendered = _render(*EXPORTERS_ON)
    # Then only the queue has an exporter (the chart's Secret has no cache key to read)
    assert QUEUE in rendered.names("Deployment")
    assert CACHE not in rendered.names("Deployment") | rendered.names("ServiceMonitor")
    # And the queue alert reads it, with no cache alert
    rules = _rules(rendered)
    assert f'job="{QUEUE}"' in rules["WildsideRedisEvictions"]["expr"]
    assert "WildsideRedisCacheEvictions" not in rules


def test_an_existing_secret_exports_both_unless_the_cache_is_switched_off(
    helm_path: str,
) -> None:
    # Given an existing Secret (its keys cannot be seen at render time)
    existing = (*EXPORTERS_ON, "--set", "secrets.existingSecret=wildside-connections")
    both = _render(*existing)
    queue_only = _render(*existing, "--set", "redisExporter.exportCache=false")
    # Then both roles are exported from that Secret, or only the queue when asked
    assert {QUEUE, CACHE} <= both.names("Deployment")
    box = container(both.get("Deployment", CACHE), "redis-exporter")
    assert _secret_ref(box, "REDIS_ADDR") == ("wildside-connections", "redis-cache-url")
    assert CACHE not in queue_only.names("Deployment")


def test_the_operators_selectors_win_over_the_chart_exporters(helm_path: str) -> None:
    # Given the exporters on and selectors set by the operator
    rendered = _render(
        *EXPORTERS_ON,
        *CACHE_URL,
        "--set-string",
        'monitoring.prometheusRule.exporters.redis.selector=service="q-metrics"',
        "--set-string",
        'monitoring.prometheusRule.exporters.redis.cacheSelector=service="c-metrics"',
    )
    rules = _rules(rendered)
    # Then the alerts use the operator's matchers
    assert '{service="q-metrics"}' in rules["WildsideRedisEvictions"]["expr"]
    assert '{service="c-metrics"}' in rules["WildsideRedisCacheEvictions"]["expr"]


def test_the_exporter_objects_are_valid(helm_path: str) -> None:
    # Given everything rendered with the exporters and monitoring on
    args = (*EXPORTERS_ON, *CACHE_URL)
    rendered = _render(*args)
    built_in = [o for o in rendered.objects if not o["apiVersion"].startswith("monitoring.")]
    operator = [o for o in rendered.objects if o["apiVersion"].startswith("monitoring.")]
    # When helm lints it and the Kubernetes and Prometheus Operator validators check it
    lint = helm("lint", "--strict", str(CHART_DIR), *args, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "[WARNING]" not in lint.stdout
    for obj in built_in:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
    results = validate_crds(operator)
    # Then nothing is wrong
    assert len(results) == len(operator) == 5  # API, workers, both exporters; the rules
    assert [r for r in results if r["errors"]] == []


def test_the_schema_refuses_an_unpinned_exporter(helm_path: str) -> None:
    # Given the exporter image left unpinned
    done = helm(
        "template",
        "x",
        str(CHART_DIR),
        "--set",
        "redisExporter.image.tag=latest",
        check=False,
    )
    # Then Helm refuses it, naming the value
    assert done.returncode != 0
    assert "tag" in done.stderr
