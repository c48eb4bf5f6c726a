"""Monitoring in the chart: ServiceMonitors, alert rules with runbooks, the Grafana dashboard."""

from __future__ import annotations

import json
import re
from typing import Any

import promql_parser
import pytest

from adapters.outbound.prometheus import names
from tests.deploy.chart import CHART_DIR, OPERATIONS_DOC, Rendered, component, helm, render

# Metrics Wildside exports (adapters/outbound/prometheus/names.py); histograms
# are queried through their _bucket, _sum and _count series.
WILDSIDE_METRICS = {
    value
    for key, value in vars(names).items()
    if key.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z_]+", value)
}
HISTOGRAMS = {
    names.HTTP_DURATION,
    names.JOB_DURATION,
    names.ENGINE_DURATION,
    names.ENGINE_POIS,
    names.OVERPASS_SEMAPHORE_WAIT,
    names.DB_QUERY_DURATION,
}
# Metrics of other exporters that the alerts and the dashboard read; each is
# named in docs/operations.md ("Alerts and runbooks").
EXPORTER_METRICS = {
    "up": "Prometheus itself (one series per scrape target)",
    "redis_evicted_keys_total": "redis_exporter",
    "pg_stat_activity_count": "postgres_exporter",
    "pg_settings_max_connections": "postgres_exporter",
    "container_cpu_usage_seconds_total": "cAdvisor (kubelet)",
    "container_memory_working_set_bytes": "cAdvisor (kubelet)",
}
DASHBOARD_SUBSTITUTIONS = {"$__rate_interval": "5m", "$namespace": "wildside"}


def _known_series() -> set[str]:
    series = set(WILDSIDE_METRICS)
    for histogram in HISTOGRAMS:
        series |= {f"{histogram}_bucket", f"{histogram}_sum", f"{histogram}_count"}
    return series | set(EXPORTER_METRICS)


def metric_names(expr: str) -> set[str]:
    """Names of every vector selector in a PromQL expression (parsed, not grepped)."""
    found: set[str] = set()

    def visit(node: promql_parser.Expr) -> bool:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            found.add(node.name)
        return True

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return found


def _rules(rendered: Rendered) -> list[dict[str, Any]]:
    return [
        rule
        for rule_object in rendered.of_kind("PrometheusRule")
        for group in rule_object["spec"]["groups"]
        for rule in group["rules"]
    ]


def _github_anchors(markdown: str) -> set[str]:
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _dashboard(rendered: Rendered) -> dict[str, Any]:
    configmap = rendered.get("ConfigMap", component("dashboard"))
    dashboard: dict[str, Any] = json.loads(configmap["data"]["wildside.json"])
    return dashboard


def _panel_exprs(dashboard: dict[str, Any]) -> dict[str, list[str]]:
    return {
        panel["title"]: [target["expr"] for target in panel.get("targets", [])]
        for panel in dashboard["panels"]
        if panel["type"] != "row"
    }


def test_servicemonitors_scrape_the_api_and_the_workers(helm_path: str) -> None:
    # Given production's ServiceMonitors and Services
    production = render("production")
    monitors = {m["metadata"]["name"]: m for m in production.of_kind("ServiceMonitor")}
    expected = {component("api"): "http", component("worker"): "metrics"}
    assert set(monitors) == set(expected)
    for name, port in expected.items():
        monitor = monitors[name]
        service = production.get("Service", name)
        # Then each selects its component's Service and scrapes its named port's /metrics
        selector = monitor["spec"]["selector"]["matchLabels"]
        assert selector.items() <= service["metadata"]["labels"].items()
        (endpoint,) = monitor["spec"]["endpoints"]
        assert (endpoint["port"], endpoint["path"]) == (port, "/metrics")
        assert port in {p["name"] for p in service["spec"]["ports"]}
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["wildside"]}
        # And it carries the label production's Prometheus selects
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_every_alert_expression_parses_and_reads_known_metrics(helm_path: str) -> None:
    # Given every alert of the production rule set
    rules = _rules(render("production"))
    assert len(rules) >= 10
    known = _known_series()
    for rule in rules:
        # When its expression is parsed as PromQL
        used = metric_names(rule["expr"])
        # Then it reads at least one metric, each exported by Wildside or a documented exporter
        assert used, rule["alert"]
        assert used <= known, (rule["alert"], used - known)


def test_the_alerts_the_operations_issue_asks_for_are_there(helm_path: str) -> None:
    # Given the production alerts by name
    rules = {rule["alert"]: rule for rule in _rules(render("production"))}
    # Then each expected condition is watched, on the metric that measures it
    expectations = {
        "WildsideHighHttp5xxRate": ("http_requests_total{", 'status=~"5.."'),
        "WildsideRouteGenerationSlow": (
            "histogram_quantile(0.95",
            "wildside_job_duration_seconds_bucket{",
            'queue="route_generation"',
        ),
        "WildsideQueueBacklog": ("wildside_queue_depth{", "> 100"),
        "WildsideDeadLetters": ("wildside_queue_dead_letters{", "> 0"),
        "WildsideOverpassBreakerOpen": ("wildside_overpass_breaker_state{", "== 2"),
        # 10 % of production's WILDSIDE_OVERPASS_DAILY_REQUESTS (20000).
        "WildsideOverpassQuotaLow": (
            "wildside_overpass_quota_remaining{",
            'kind="requests"',
            "< 2000",
        ),
        "WildsideRedisEvictions": ("redis_evicted_keys_total{", 'service="redis-queue-metrics"'),
        "WildsideRedisCacheEvictions": (
            "redis_evicted_keys_total{",
            'service="redis-cache-metrics"',
            "> 0",
        ),
        "WildsidePostgresConnectionsHigh": (
            "pg_stat_activity_count",
            "pg_settings_max_connections",
            "> 0.8",
        ),
        "WildsideApiLatencyHigh": ("http_request_duration_seconds_bucket{",),
        "WildsideRouteJobsFailing": ("wildside_jobs_total{",),
        "WildsideJobsFailing": (
            "sum by (queue) (rate(jobs_failed_total{",
            "sum by (queue) (rate(jobs_success_total{",
        ),
        "WildsideEnrichmentFailing": ("wildside_enrichment_jobs_total{",),
        "WildsideDbPoolExhausted": (
            "wildside_db_pool_waiting{",
            'job=~"wildside-api|wildside-worker"',
            "> 0",
        ),
        "WildsideSlowQueries": ("wildside_db_slow_queries_total{", "by (family)", "> 0.1"),
        "WildsideApiDown": ('up{job="wildside-api"',),
        "WildsideWorkersDown": ('up{job="wildside-worker"',),
    }
    assert set(rules) == set(expectations)
    for alert, fragments in expectations.items():
        for fragment in fragments:
            assert fragment in rules[alert]["expr"], (alert, fragment)


def test_the_seed_connection_alert_pages_after_five_minutes(helm_path: str) -> None:
    # Given the production alert on PostgreSQL connections (the seed's
    # ``connections / max > 0.8 for 5m -> page``; it replaced a 10-minute warning)
    rules = {rule["alert"]: rule for rule in _rules(render("production"))}
    rule = rules["WildsidePostgresConnectionsHigh"]
    # Then it compares connections in use with max_connections, waits 5 minutes and pages
    assert metric_names(rule["expr"]) == {"pg_stat_activity_count", "pg_settings_max_connections"}
    assert rule["expr"].rstrip().endswith("> 0.8")
    assert (rule["for"], rule["labels"]["severity"]) == ("5m", "critical")


def test_every_alert_has_a_summary_description_severity_and_runbook(helm_path: str) -> None:
    # Given the operations guide's headings and the production alerts
    anchors = _github_anchors(OPERATIONS_DOC.read_text())
    for rule in _rules(render("production")):
        annotations = rule["annotations"]
        # Then each alert is explained, graded, and links to its own runbook section
        assert annotations["summary"].strip(), rule["alert"]
        assert annotations["description"].strip(), rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        url, _, anchor = annotations["runbook_url"].partition("#")
        assert url.endswith("docs/operations.md")
        assert anchor == rule["alert"].lower()
        assert anchor in anchors, f"docs/operations.md has no heading for #{anchor}"


def test_exporter_dependent_alerts_say_so_and_can_be_switched_off(helm_path: str) -> None:
    # Given the production alerts that read exporter metrics
    rules = _rules(render("production"))
    exporter_rules = [
        r
        for r in rules
        if metric_names(r["expr"]) & {"redis_evicted_keys_total", "pg_settings_max_connections"}
    ]
    # Then their descriptions name the exporter
    assert len(exporter_rules) == 3  # queue evictions, cache evictions, connections
    for rule in exporter_rules:
        assert "_exporter" in rule["annotations"]["description"]
    # And switching the exporters off removes them
    text = helm(
        "template",
        "wildside",
        str(CHART_DIR),
        "--set",
        "monitoring.prometheusRule.enabled=true",
        "--set",
        "monitoring.prometheusRule.exporters.redis.enabled=false",
        "--set",
        "monitoring.prometheusRule.exporters.postgres.enabled=false",
    ).stdout
    assert "redis_evicted_keys_total" not in text
    assert "pg_stat_activity_count" not in text
    assert "WildsideHighHttp5xxRate" in text


def test_exporter_metrics_are_documented(helm_path: str) -> None:
    # Given the operations guide
    guide = OPERATIONS_DOC.read_text()
    # Then every metric the chart reads from another exporter is named there with its source
    for metric in EXPORTER_METRICS:
        assert f"`{metric}`" in guide, metric


def test_thresholds_come_from_values(helm_path: str) -> None:
    # Given tighter thresholds than the defaults
    text = helm(
        "template",
        "wildside",
        str(CHART_DIR),
        "--set",
        "monitoring.prometheusRule.enabled=true",
        "--set",
        "monitoring.prometheusRule.thresholds.queueDepth=7",
        "--set-json",
        "monitoring.prometheusRule.thresholds.slowQueriesPerSecond=0.5",
        "--set-json",
        "monitoring.prometheusRule.thresholds.overpassQuotaFraction=0.25",
        "--set-json",
        "monitoring.prometheusRule.thresholds.jobFailureRatio=0.3",
        "--set",
        "config.WILDSIDE_OVERPASS_DAILY_REQUESTS=400",
    ).stdout
    # Then the rules use them (the quota floor is the fraction of the configured quota)
    assert "(wildside_queue_depth{" in text
    assert "> 7\n" in text
    assert 'kind="requests"}) < 100\n' in text
    assert re.search(r"wildside_db_slow_queries_total\{[^}]*\}\[10m\]\)\)\s+> 0\.5\n", text)
    assert re.search(r"jobs_failed_total\{[^}]*\}\[15m\]\)\)\)\s+> 0\.3\n", text)


@pytest.mark.parametrize("value_set", ["default", "minimal"])
def test_no_monitoring_objects_unless_asked(value_set: str, helm_path: str) -> None:
    # Given a value set with monitoring off
    rendered = render(value_set)
    # Then nothing needs the Prometheus Operator's CRDs, and there is no dashboard
    assert rendered.of_kind("ServiceMonitor") == []
    assert rendered.of_kind("PrometheusRule") == []
    assert component("dashboard") not in rendered.names("ConfigMap")


def test_the_dashboard_configmap_is_found_by_the_grafana_sidecar(helm_path: str) -> None:
    # Given production's dashboard ConfigMap
    configmap = render("production").get("ConfigMap", component("dashboard"))
    # Then it carries the sidecar's label and folder annotation, and valid dashboard JSON
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert configmap["metadata"]["annotations"]["grafana_folder"] == "Wildside"
    dashboard = _dashboard(render("production"))
    assert dashboard["uid"] == "wildside-overview"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert variables == {"datasource", "namespace"}


def test_the_dashboard_has_the_panels_operators_need(helm_path: str) -> None:
    # Given the dashboard's panels and the metrics each one reads
    panels = _panel_exprs(_dashboard(render("production")))
    reads = {
        title: set().union(*(metric_names(_concrete(e)) for e in exprs))
        for title, exprs in panels.items()
    }

    def panel_reading(*metrics: str) -> str:
        matching = [title for title, used in reads.items() if set(metrics) <= used]
        assert matching, f"no panel reads {metrics}"
        return matching[0]

    # Then route time (p50 and p95), API p95, WebSocket clients, cache hit rate, job
    # outcomes, queue depth, enrichment outcomes, breaker state and quota are all shown
    route_time = panel_reading("wildside_job_duration_seconds_bucket")
    quantiles = set(re.findall(r"histogram_quantile\(([\d.]+)", " ".join(panels[route_time])))
    assert {"0.5", "0.95"} <= quantiles
    api = panel_reading("http_request_duration_seconds_bucket")
    assert "histogram_quantile(0.95" in panels[api][0]
    panel_reading("websocket_connections")
    hit_rate = panel_reading("cache_route_lookup_hits_total", "cache_route_lookup_misses_total")
    assert "/" in panels[hit_rate][0]
    assert "outcome" in panels[panel_reading("wildside_jobs_total")][0]
    panel_reading("wildside_queue_depth")
    assert "outcome" in panels[panel_reading("wildside_enrichment_jobs_total")][0]
    panel_reading("wildside_overpass_breaker_state")
    panel_reading("wildside_overpass_quota_remaining")
    # And jobs in flight and queue length, endings and time per job type, the
    # database pool, query time by statement family and slow queries
    panel_reading("wildside_jobs_in_flight", "wildside_queue_length")
    endings = panel_reading(
        "jobs_success_total", "jobs_failed_total", "wildside_jobs_retried_total"
    )
    assert all("job_type" in expr for expr in panels[endings])
    assert any(
        "histogram_quantile(0.95, sum by (le, queue, job_type) (rate("
        "wildside_job_duration_seconds_bucket{" in expr
        for exprs in panels.values()
        for expr in exprs
    )
    panel_reading(
        "wildside_db_pool_in_use", "wildside_db_pool_waiting", "wildside_db_pool_max_connections"
    )
    queries = panel_reading("wildside_db_query_duration_seconds_bucket")
    assert "by (le, family)" in panels[queries][0]
    assert "family" in panels[panel_reading("wildside_db_slow_queries_total")][0]


def test_every_dashboard_query_parses_and_reads_known_metrics(helm_path: str) -> None:
    # Given every query of every panel (Grafana's variables replaced by values)
    known = _known_series()
    for title, exprs in _panel_exprs(_dashboard(render("production"))).items():
        for expr in exprs:
            # When it is parsed as PromQL
            used = metric_names(_concrete(expr))
            # Then it reads known metrics only, scoped to the chosen namespace
            assert used, title
            assert used <= known, (title, used - known)
            assert 'namespace="$namespace"' in expr, title


def _concrete(expr: str) -> str:
    for variable, value in DASHBOARD_SUBSTITUTIONS.items():
        expr = expr.replace(variable, value)
    return expr


def test_jobs_failing_has_a_rule_per_queue_with_its_own_ratio(helm_path: str) -> None:
    # Given the production alerts, and the same with the enrichment override removed
    failing = [r for r in _rules(render("production")) if r["alert"] == "WildsideJobsFailing"]
    # Then the default ratio watches every queue but the ones named, each named one its own
    assert [(_queue_matcher(r["expr"]), r["expr"].split(">")[-1].strip()) for r in failing] == [
        ('queue!~"enrichment"', "0.1"),
        ('queue="enrichment"', "0.5"),
    ]
    text = helm(
        "template",
        "wildside",
        str(CHART_DIR),
        "--set",
        "monitoring.prometheusRule.enabled=true",
        "--set",
        "monitoring.prometheusRule.thresholds.jobFailureRatioByQueue.enrichment=null",
    ).stdout
    # And without overrides one rule watches every queue
    assert text.count("alert: WildsideJobsFailing") == 1
    assert "queue!~" not in text.split("alert: WildsideJobsFailing")[1].split("alert:")[0]


def _queue_matcher(expr: str) -> str:
    match = re.search(r'queue(!~|=)"[^"]*"', expr)
    assert match, expr
    return match.group(0)
