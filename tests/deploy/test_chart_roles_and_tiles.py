"""The chart's Redis roles (queue and cache, each with its eviction alert) and Martin's tiles."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.settings import load_settings
from tests.deploy.chart import component, container, parse_manifests, render, render_text


def _env(rendered_objects: Any, name: str) -> dict[str, dict[str, Any]]:
    workload = container(rendered_objects.get("Deployment", component(name)), name)
    return {e["name"]: e for e in workload["env"]}


def _rules(objects: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    return {
        rule["alert"]: rule
        for obj in objects
        if obj["kind"] == "PrometheusRule"
        for group in obj["spec"]["groups"]
        for rule in group["rules"]
    }


def test_both_redis_roles_reach_api_and_worker(helm_path: str) -> None:
    # Given the minimal values, which name a queue and a cache instance
    rendered = render("minimal")
    secret = rendered.get("Secret", "wildside")["stringData"]
    assert secret["redis-url"] == "redis://redis-queue:6379/0"
    assert secret["redis-cache-url"] == "redis://redis-cache:6379/0"
    for name in ("api", "worker"):
        env = _env(rendered, name)
        # Then each process gets both URLs from the Secret, the cache's key being optional
        queue = env["WILDSIDE_REDIS_URL"]["valueFrom"]["secretKeyRef"]
        cache = env["WILDSIDE_REDIS_CACHE_URL"]["valueFrom"]["secretKeyRef"]
        assert (queue["name"], queue["key"]) == ("wildside", "redis-url")
        assert (cache["name"], cache["key"], cache["optional"]) == (
            "wildside",
            "redis-cache-url",
            True,
        )
    # And Wildside reads them as two roles
    settings = load_settings(
        {
            "WILDSIDE_REDIS_URL": secret["redis-url"],
            "WILDSIDE_REDIS_CACHE_URL": secret["redis-cache-url"],
        }
    )
    assert settings.require_queue_redis_url() == "redis://redis-queue:6379/0"
    assert settings.require_cache_redis_url() == "redis://redis-cache:6379/0"


def test_without_a_cache_url_the_secret_has_no_cache_key(helm_path: str) -> None:
    # Given values with only the queue's URL
    objects = parse_manifests(render_text("--set", "secrets.redisUrl=redis://q:6379/0"))
    (secret,) = [
        o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == "wildside"
    ]
    # Then the cache key is absent, so the cache falls back to the queue instance
    assert "redis-cache-url" not in secret["stringData"]


def test_each_role_has_its_own_eviction_alert(helm_path: str) -> None:
    # Given the production alerts (both exporters selected)
    rules = _rules(render("production").objects)
    queue, cache = rules["WildsideRedisEvictions"], rules["WildsideRedisCacheEvictions"]
    # Then the queue's evictions page, on the queue's exporter only
    assert 'service="redis-queue-metrics"' in queue["expr"]
    assert queue["labels"]["severity"] == "critical"
    # And the cache's warn on evicted_keys > 0 (its budget is too small), on its exporter
    assert cache["expr"].startswith("increase(redis_evicted_keys_total{")
    assert 'service="redis-cache-metrics"' in cache["expr"]
    assert cache["expr"].endswith("> 0")
    assert cache["labels"]["severity"] == "warning"
    # And without a cache selector there is no cache alert (it would match the queue too)
    defaults = parse_manifests(render_text("--set", "monitoring.prometheusRule.enabled=true"))
    assert "WildsideRedisCacheEvictions" not in _rules(defaults)


def _martin(objects: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    deployment = objects.get("Deployment", component("martin"))
    configmap = objects.get("ConfigMap", component("martin"))
    return deployment, configmap


def test_martin_reads_its_cors_origins_from_values(helm_path: str) -> None:
    # Given the production values, which allow one web app's origin
    deployment, configmap = _martin(render("production"))
    martin = container(deployment, "martin")
    # Then Martin is started with its config file, mounted from the ConfigMap
    args = martin["args"]
    assert args[args.index("--config") + 1] == "/etc/martin/config.yaml"
    (mount,) = [m for m in martin["volumeMounts"] if m["name"] == "config"]
    assert (mount["mountPath"], mount["subPath"]) == ("/etc/martin/config.yaml", "config.yaml")
    # And that file allows exactly the listed origins, with the preflight cache time
    config = yaml.safe_load(configmap["data"]["config.yaml"])
    assert config == {"cors": {"origin": ["https://app.wildside.example.org"], "max_age": 86400}}


def test_by_default_tiles_send_no_cors_headers_and_a_change_rolls_the_pods(
    helm_path: str,
) -> None:
    # Given the defaults and the defaults with one allowed origin
    default_deployment, default_config = _martin(render("default"))
    changed_objects = parse_manifests(
        render_text("--set", "martin.cors.allowedOrigins={https://maps.example.org}")
    )
    (changed_deployment,) = [
        o
        for o in changed_objects
        if o["kind"] == "Deployment" and o["metadata"]["name"] == component("martin")
    ]
    # Then the defaults switch Martin's CORS off (same-origin pages only)
    assert yaml.safe_load(default_config["data"]["config.yaml"]) == {"cors": False}
    # And another origin list changes the pods' config checksum, so they restart with it

    def checksum(deployment: dict[str, Any]) -> str:
        return str(deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"])

    assert checksum(default_deployment) != checksum(changed_deployment)


def test_tiles_are_served_in_one_url_scheme_through_the_gateway(helm_path: str) -> None:
    # Given Martin's pod, Service and the Ingress
    rendered = render("default")
    deployment, configmap = _martin(rendered)
    gateway = container(deployment, "gateway")
    service = rendered.get("Service", component("martin"))
    (ingress,) = rendered.of_kind("Ingress")
    paths = {p["path"]: p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    # Then the Ingress sends /tiles to the Service, whose port is the gateway's, not Martin's
    assert paths["/tiles"]["backend"]["service"]["name"] == component("martin")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert {p["name"]: p["containerPort"] for p in gateway["ports"]} == {"http": 8080}
    martin_ports = {p["name"] for p in container(deployment, "martin")["ports"]}
    assert "http" not in martin_ports
    # And the gateway maps the seed's scheme onto Martin 1.x's suffix-less routes
    nginx = configmap["data"]["nginx.conf"]
    assert "listen 8080;" in nginx
    assert '"^/tiles/([A-Za-z0-9_.,-]+)/([0-9]+)/([0-9]+)/([0-9]+)\\.pbf$"' in nginx
    assert "proxy_pass http://127.0.0.1:3000/tiles/$1/$2/$3/$4$is_args$args;" in nginx
    assert '"^/tiles/([A-Za-z0-9_,-]+)\\.json$"' in nginx
    assert "proxy_pass http://127.0.0.1:3000/tiles/$1$is_args$args;" in nginx
    # And TileJSON's tile URL is given the same suffix; anything else is not served
    assert 'sub_filter "{z}/{x}/{y}" "{z}/{x}/{y}.pbf";' in nginx
    assert "return 404;" in nginx
    (mount,) = [m for m in gateway["volumeMounts"] if m["name"] == "config"]
    assert mount["mountPath"] == "/etc/nginx/nginx.conf"
    tag = gateway["image"].rsplit(":", 1)[1]
    assert tag[0].isdigit()
