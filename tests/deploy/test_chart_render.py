"""The Helm chart: helm lint, Kubernetes and Prometheus Operator schemas, and what it deploys."""

from __future__ import annotations

import copy
from pathlib import PurePosixPath
from typing import Any

import kubernetes_validate
import pytest

from adapters.settings import load_settings
from tests.deploy.chart import (
    CHART_DIR,
    KUBE_VERSION,
    OLDEST_KUBE_VERSION,
    VALUE_SETS,
    Rendered,
    component,
    container,
    helm,
    parse_manifests,
    render,
    render_text,
    validate_crds,
    values_args,
)

CRD_GROUP = "monitoring.coreos.com/"
HOOK_EVENTS = {"pre-install", "pre-upgrade"}


def _is_crd_object(obj: dict[str, Any]) -> bool:
    return str(obj["apiVersion"]).startswith(CRD_GROUP)


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_helm_lint_strict_is_clean(value_set: str, helm_path: str) -> None:
    # Given the chart and one of its value sets
    # When helm lints it, treating warnings as errors
    done = helm("lint", "--strict", str(CHART_DIR), *values_args(value_set), check=False)
    # Then nothing is wrong (an INFO about a missing icon is not a finding)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[WARNING]" not in done.stdout
    assert "[ERROR]" not in done.stdout
    assert "0 chart(s) failed" in done.stdout


def test_value_sets_render_the_expected_objects(helm_path: str) -> None:
    # Given the three value sets
    # When each is rendered
    kinds = {name: sorted(o["kind"] for o in render(name).objects) for name in VALUE_SETS}
    # Then the defaults deploy API, worker, Martin, migrations and an Ingress, no monitoring
    assert kinds["default"].count("Deployment") == 3
    assert "Ingress" in kinds["default"]
    assert "ServiceMonitor" not in kinds["default"]
    # And the minimal set has no Martin, no Ingress and no monitoring
    assert kinds["minimal"].count("Deployment") == 2
    assert not {"Ingress", "ServiceMonitor", "PrometheusRule"} & set(kinds["minimal"])
    # And production has autoscalers, a disruption budget, monitoring and the dashboard
    assert kinds["production"].count("HorizontalPodAutoscaler") == 2
    assert kinds["production"].count("ServiceMonitor") == 2
    assert {"PodDisruptionBudget", "PrometheusRule"} <= set(kinds["production"])
    assert render("production").names("ConfigMap") >= {component("dashboard")}


@pytest.mark.parametrize("kube_version", [OLDEST_KUBE_VERSION, KUBE_VERSION])
def test_every_object_matches_the_kubernetes_schemas(helm_path: str, kube_version: str) -> None:
    # Given every value set rendered for the oldest and the newest supported Kubernetes
    failures = []
    checked = 0
    for value_set in sorted(VALUE_SETS):
        text = render_text(*values_args(value_set), kube_version=kube_version)
        for obj in parse_manifests(text):
            if _is_crd_object(obj):
                continue
            # When each built-in object is validated strictly (unknown fields are errors)
            try:
                kubernetes_validate.validate(obj, kube_version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{value_set} {obj['kind']}/{obj['metadata']['name']}: {exc}")
            checked += 1
    # Then all of them are valid
    assert checked > 30
    assert failures == []


def test_the_kubernetes_validator_rejects_a_broken_object(helm_path: str) -> None:
    # Given the rendered API Deployment with a misspelt field
    deployment = copy.deepcopy(render("default").get("Deployment", component("api")))
    container(deployment, "api")["readinessProbe"]["httpGett"] = {"path": "/health/ready"}
    # When it is validated
    # Then strict validation refuses it (so the test above can fail)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


def test_servicemonitors_and_prometheusrules_match_the_operator_schemas(helm_path: str) -> None:
    # Given the Prometheus Operator objects of every value set
    objects = [o for name in sorted(VALUE_SETS) for o in render(name).objects if _is_crd_object(o)]
    assert {o["kind"] for o in objects} == {"ServiceMonitor", "PrometheusRule"}
    # When the operator's validators check them
    results = validate_crds(objects)
    # Then none has an error
    assert len(results) == len(objects)
    assert [r for r in results if r["errors"]] == []


def test_the_crd_validator_rejects_a_broken_rule(helm_path: str) -> None:
    # Given a rule whose `for` is not a duration and a ServiceMonitor without endpoints' port type
    rule = copy.deepcopy(render("production").of_kind("PrometheusRule")[0])
    rule["spec"]["groups"][0]["rules"][0]["for"] = "five minutes"
    monitor = copy.deepcopy(render("production").of_kind("ServiceMonitor")[0])
    monitor["spec"]["endpoints"][0]["interval"] = 30
    # When they are validated
    results = validate_crds([rule, monitor])
    # Then both are refused
    assert all(r["errors"] for r in results), results


def test_prometheus_operator_objects_use_only_known_fields(helm_path: str) -> None:
    # Given the production rendering (the npm validators do not reject unknown fields)
    production = render("production")
    rule_keys = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
    endpoint_keys = {"port", "path", "scheme", "interval", "scrapeTimeout"}
    # When the fields the chart writes are listed
    for rule_object in production.of_kind("PrometheusRule"):
        for group in rule_object["spec"]["groups"]:
            assert set(group) <= {"name", "interval", "rules"}
            for rule in group["rules"]:
                # Then each is one the operator's API defines
                assert set(rule) <= rule_keys, rule
    for monitor in production.of_kind("ServiceMonitor"):
        assert set(monitor["spec"]) <= {"namespaceSelector", "selector", "endpoints", "jobLabel"}
        for endpoint in monitor["spec"]["endpoints"]:
            assert set(endpoint) <= endpoint_keys


def test_the_api_is_probed_on_its_health_endpoints(rendered: Rendered) -> None:
    # Given the API Deployment
    api = container(rendered.get("Deployment", component("api")), "api")
    # Then readiness asks /health/ready and liveness /health/live, on the HTTP port
    assert api["args"] == ["serve"]
    assert api["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert api["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert api["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_the_session_key_is_mounted_where_the_setting_points(rendered: Rendered) -> None:
    # Given the API pod
    pod = rendered.get("Deployment", component("api"))["spec"]["template"]["spec"]
    api = container(rendered.get("Deployment", component("api")), "api")
    key_file = next(e["value"] for e in api["env"] if e["name"] == "WILDSIDE_SESSION_KEY_FILE")
    # When the session-key volume and its mount are looked up
    mount = next(m for m in api["volumeMounts"] if m["name"] == "session-key")
    volume = next(v for v in pod["volumes"] if v["name"] == "session-key")
    (item,) = volume["secret"]["items"]
    # Then the mounted file is exactly WILDSIDE_SESSION_KEY_FILE, read-only, from a Secret
    assert str(PurePosixPath(mount["mountPath"]) / item["path"]) == key_file
    assert mount["readOnly"] is True
    expected_secret = "wildside-session-key" if rendered.value_set == "production" else None
    if expected_secret:
        assert volume["secret"]["secretName"] == expected_secret
    else:
        secret = rendered.get("Secret", volume["secret"]["secretName"])
        assert item["key"] in secret["data"]


def test_a_generated_session_key_is_64_random_bytes(helm_path: str) -> None:
    # Given the defaults (no key given, none in the cluster during `helm template`)
    import base64

    secret = render("default").get("Secret", component("session-key"))
    # When the generated file content is decoded
    content = base64.b64decode(secret["data"]["session-key"]).decode()
    # Then it is the base64 text of 64 bytes, as WILDSIDE_SESSION_KEY_FILE requires
    assert len(base64.b64decode(content, validate=True)) == 64
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_urls_come_from_a_secret_and_settings_from_the_configmap(rendered: Rendered) -> None:
    # Given the API and worker containers
    expected_secret = "wildside-connections" if rendered.value_set == "production" else "wildside"
    for name in ("api", "worker"):
        workload = container(rendered.get("Deployment", component(name)), name)
        env = {e["name"]: e for e in workload["env"]}
        # Then the database and Redis URLs are Secret references
        for variable in ("WILDSIDE_DATABASE_URL", "WILDSIDE_REDIS_URL"):
            ref = env[variable]["valueFrom"]["secretKeyRef"]
            assert ref["name"] == expected_secret
        # And the PostHog key is read from the same Secret only if it is there
        posthog = env["WILDSIDE_POSTHOG_API_KEY"]["valueFrom"]["secretKeyRef"]
        assert posthog["name"] == expected_secret
        assert posthog["optional"] is True
        # And the non-secret settings come from the chart's ConfigMap
        assert workload["envFrom"] == [{"configMapRef": {"name": "wildside"}}]
        assert env["NUMBA_CACHE_DIR"]["value"] == "/var/cache/wildside/numba"


def test_the_pod_environment_is_accepted_by_wildside_settings(rendered: Rendered) -> None:
    # Given the ConfigMap, the API's own variables, and stand-in URLs for the Secret
    configmap = rendered.get("ConfigMap", "wildside")["data"]
    api = container(rendered.get("Deployment", component("api")), "api")
    plain = {e["name"]: e["value"] for e in api["env"] if "value" in e}
    environ = {
        **configmap,
        **{k: v for k, v in plain.items() if k.startswith("WILDSIDE_")},
        "WILDSIDE_DATABASE_URL": "postgresql://wildside@db/wildside",
        "WILDSIDE_REDIS_URL": "redis://redis:6379/0",
        # The image sets these (see the Dockerfile).
        "WILDSIDE_HTTP_HOST": "0.0.0.0",
        "WILDSIDE_MIGRATIONS_DIR": "/app/migrations",
    }
    # When Wildside reads its settings from that environment
    settings = load_settings(environ)
    # Then every variable is known and valid, and the ports agree with the pods'
    assert settings.http_port == api["ports"][0]["containerPort"]
    worker = container(rendered.get("Deployment", component("worker")), "worker")
    assert settings.worker_metrics_port == worker["ports"][0]["containerPort"] == 9191
    assert str(settings.session_key_file) == plain["WILDSIDE_SESSION_KEY_FILE"]


def test_the_worker_exposes_only_metrics_and_has_no_http_probes(rendered: Rendered) -> None:
    # Given the worker Deployment and Service
    worker = container(rendered.get("Deployment", component("worker")), "worker")
    service = rendered.get("Service", component("worker"))
    # Then it runs `wildside worker`, probed by TCP on the metrics port only
    assert worker["args"] == ["worker"]
    assert "readinessProbe" not in worker
    for probe in ("livenessProbe", "startupProbe"):
        assert worker[probe]["tcpSocket"] == {"port": "metrics"}
        assert "httpGet" not in worker[probe]
    # And its Service exposes the metrics port and nothing else
    assert [(p["name"], p["port"]) for p in service["spec"]["ports"]] == [("metrics", 9191)]


@pytest.mark.parametrize(
    ("cache_mb", "request_mi", "limit_mi"), [(None, 768, 1024), ("1024", 1408, 1664)]
)
def test_worker_memory_follows_the_graph_cache(
    helm_path: str, cache_mb: str | None, request_mi: int, limit_mi: int
) -> None:
    # Given the default graph cache (384 MiB, a 1 GiB pod), or a larger one
    extra = (
        [] if cache_mb is None else ["--set-string", f"config.WILDSIDE_GRAPH_CACHE_MB={cache_mb}"]
    )
    objects = parse_manifests(render_text(*values_args("minimal"), *extra))
    worker = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["name"] == component("worker")
    )
    resources = container(worker, "worker")["resources"]
    # Then the worker's memory request and limit are the cache plus the worker's own base
    assert resources["requests"]["memory"] == f"{request_mi}Mi"
    assert resources["limits"]["memory"] == f"{limit_mi}Mi"
    assert resources["requests"]["cpu"] == "500m"


def test_api_and_worker_scale_separately(rendered: Rendered) -> None:
    # Given the two Deployments
    api = rendered.get("Deployment", component("api"))
    worker = rendered.get("Deployment", component("worker"))
    # Then their selectors differ by component, so each can be scaled on its own
    api_selector = api["spec"]["selector"]["matchLabels"]
    worker_selector = worker["spec"]["selector"]["matchLabels"]
    assert api_selector["app.kubernetes.io/component"] == "api"
    assert worker_selector["app.kubernetes.io/component"] == "worker"
    # And with autoscaling on, each has an autoscaler and no fixed replica count
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in rendered.of_kind("HorizontalPodAutoscaler")
    }
    if rendered.value_set == "production":
        assert set(hpas) == {component("api"), component("worker")}
        assert hpas[component("api")]["apiVersion"] == "autoscaling/v2"
        assert "replicas" not in api["spec"]
        assert "replicas" not in worker["spec"]
    else:
        assert hpas == {}
        assert api["spec"]["replicas"] >= 1


def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook(rendered: Rendered) -> None:
    # Given the migration Job
    job = rendered.get("Job", component("migrations"))
    annotations = job["metadata"]["annotations"]
    # Then it is a Helm hook before install and upgrade, replaced on the next run
    assert set(annotations["helm.sh/hook"].split(",")) == HOOK_EVENTS
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    # And it runs `wildside migrate` once (no restarts in place)
    migrate = container(job, "migrate")
    assert migrate["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # And the database URL it reads exists before the hook runs
    ref = next(e for e in migrate["env"] if e["name"] == "WILDSIDE_DATABASE_URL")
    secret_name = ref["valueFrom"]["secretKeyRef"]["name"]
    if rendered.value_set == "production":
        assert secret_name == "wildside-connections"
    else:
        secret = rendered.get("Secret", secret_name)
        secret_hook = secret["metadata"]["annotations"]
        assert set(secret_hook["helm.sh/hook"].split(",")) == HOOK_EVENTS
        assert int(secret_hook["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])


def test_the_ingress_sends_tiles_to_martin_and_the_rest_to_the_api(rendered: Rendered) -> None:
    # Given the Ingress, where one is rendered
    ingresses = rendered.of_kind("Ingress")
    if rendered.value_set == "minimal":
        assert ingresses == []
        return
    (ingress,) = ingresses
    paths = {p["path"]: p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    # Then /tiles (prefix) goes to Martin's Service and / (prefix) to the API's
    assert paths["/tiles"]["pathType"] == "Prefix"
    assert paths["/tiles"]["backend"]["service"]["name"] == component("martin")
    assert paths["/"]["pathType"] == "Prefix"
    assert paths["/"]["backend"]["service"]["name"] == component("api")
    # And both backends exist, on a port they define
    for path in paths.values():
        backend = path["backend"]["service"]
        service = rendered.get("Service", backend["name"])
        assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_production_ingress_has_tls_through_cert_manager(helm_path: str) -> None:
    # Given the production Ingress
    (ingress,) = render("production").of_kind("Ingress")
    # Then TLS covers its host with the named Secret, issued by cert-manager
    assert ingress["spec"]["tls"] == [
        {"secretName": "wildside-example-org-tls", "hosts": ["wildside.example.org"]}
    ]
    assert ingress["spec"]["rules"][0]["host"] == "wildside.example.org"
    issuer = ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    assert issuer == "letsencrypt-production"


def test_martin_serves_tiles_under_the_prefix_with_its_own_read_only_url(
    rendered: Rendered,
) -> None:
    # Given Martin's Deployment, where Martin is enabled
    if rendered.value_set == "minimal":
        assert component("martin") not in rendered.names("Deployment")
        return
    martin = container(rendered.get("Deployment", component("martin")), "martin")
    args = martin["args"]
    option = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("--")}
    # Then the image tag is pinned and every tuning option comes from values
    image, tag = martin["image"].rsplit(":", 1)
    assert image == "ghcr.io/maplibre/martin"
    assert tag[0].isdigit()
    assert option["--route-prefix"] == option["--base-path"] == "/tiles"
    assert {"--pool-size", "--workers", "--cache-size", "--preferred-encoding"} <= set(option)
    # And its DATABASE_URL comes from a Secret of its own, not the application's
    (database_url,) = [e for e in martin["env"] if e["name"] == "DATABASE_URL"]
    secret_name = database_url["valueFrom"]["secretKeyRef"]["name"]
    assert secret_name not in {"wildside", "wildside-connections"}
    assert martin["readinessProbe"]["httpGet"]["path"] == "/health"


def test_pods_run_as_non_root_on_a_read_only_root_file_system(rendered: Rendered) -> None:
    # Given every workload
    workloads = rendered.of_kind("Deployment") + rendered.of_kind("Job")
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for box in pod["containers"]:
            # Then each runs as a non-root user with no privilege escalation or capabilities
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert box["securityContext"]["readOnlyRootFilesystem"] is True
            assert box["securityContext"]["allowPrivilegeEscalation"] is False
            assert box["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert "limits" in box["resources"]
            assert "requests" in box["resources"]
            # And /tmp (and, for Wildside, the numba cache) are writable emptyDirs
            mounts = {m["mountPath"]: m["name"] for m in box.get("volumeMounts", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]]
            if box["name"] not in {"martin", "gateway"}:  # not Wildside's image
                assert "emptyDir" in volumes[mounts["/var/cache/wildside/numba"]]


def test_the_schema_refuses_bad_values(helm_path: str) -> None:
    # Given values with a typo, an unknown setting and an unpinned Martin image
    bad = {
        "api.replicaCount=-1": "replicaCount",
        "apii.replicaCount=1": "apii",
        "config.WILDSIDE_NO_SUCH_SETTING=1": "WILDSIDE_NO_SUCH_SETTING",
        "config.WILDSIDE_DATABASE_URL=postgresql://x": "WILDSIDE_DATABASE_URL",
        "martin.image.tag=latest": "tag",
        "martin.preferredEncoding=zstd": "preferredEncoding",
    }
    for assignment, culprit in bad.items():
        # When the chart is rendered with one of them
        done = helm("template", "x", str(CHART_DIR), "--set", assignment, check=False)
        # Then Helm refuses it, naming the culprit
        assert done.returncode != 0, assignment
        assert culprit in done.stderr, (assignment, done.stderr)


def test_tls_without_a_host_is_refused(helm_path: str) -> None:
    # Given TLS switched on with neither an Ingress host nor TLS hosts
    done = helm("template", "x", str(CHART_DIR), "--set", "ingress.tls.enabled=true", check=False)
    # Then rendering fails with a message saying what is missing
    assert done.returncode != 0
    assert "needs ingress.host or ingress.tls.hosts" in done.stderr


def test_notes_tell_what_was_deployed_and_what_is_missing(helm_path: str) -> None:
    # Given the defaults (no URLs) and the production values (existing Secrets)
    default_notes = helm("install", "wildside", str(CHART_DIR), "--dry-run=client", "-n", "ws")
    production_notes = helm(
        "install",
        "wildside",
        str(CHART_DIR),
        "--dry-run=client",
        "-n",
        "ws",
        *values_args("production"),
    )
    # Then the defaults warn about the missing URLs and production does not
    assert "WARNING: secrets.databaseUrl" in default_notes.stdout
    assert "WARNING: secrets.databaseUrl" not in production_notes.stdout
    assert "https://wildside.example.org/" in production_notes.stdout
