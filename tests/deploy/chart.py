"""Render the Helm chart with the real Helm engine and read back what it produced."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "charts" / "wildside"
CRD_VALIDATOR_DIR = Path(__file__).resolve().parent / "crd-validator"
OPERATIONS_DOC = REPO_ROOT / "docs" / "operations.md"
RELEASE = "wildside"
NAMESPACE = "wildside"
# The Kubernetes version the chart is rendered for and validated against (the
# newest kubernetes-validate ships), and the oldest one Chart.yaml admits.
KUBE_VERSION = "1.37.0"
OLDEST_KUBE_VERSION = "1.29.0"

# Value sets: the chart's defaults and the two files under charts/wildside/ci/.
VALUE_SETS: dict[str, Path | None] = {
    "default": None,
    "minimal": CHART_DIR / "ci" / "minimal-values.yaml",
    "production": CHART_DIR / "ci" / "production-values.yaml",
}


class HelmMissingError(RuntimeError):
    """Helm is not installed where scripts/setup.sh puts it."""


def helm_binary() -> str:
    """The helm scripts/setup.sh installs (``.venv/bin/helm``), else one on PATH."""
    local = REPO_ROOT / ".venv" / "bin" / "helm"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("helm")
    if found is None:
        raise HelmMissingError("helm is not installed: run scripts/setup.sh")
    return found


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run helm with a private, empty home so no user configuration leaks in."""
    home = REPO_ROOT / ".venv" / "helm-home"
    env = {
        **os.environ,
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
    }
    return subprocess.run(
        [helm_binary(), *args], capture_output=True, text=True, check=check, env=env, timeout=60
    )


def values_args(value_set: str) -> list[str]:
    """``-f FILE`` for a named value set (nothing for the defaults)."""
    path = VALUE_SETS[value_set]
    return [] if path is None else ["-f", str(path)]


def render_text(*args: str, kube_version: str = KUBE_VERSION) -> str:
    """``helm template`` output for the chart with extra arguments."""
    return helm(
        "template",
        RELEASE,
        str(CHART_DIR),
        "--namespace",
        NAMESPACE,
        "--kube-version",
        kube_version,
        *args,
    ).stdout


@dataclass(frozen=True)
class Rendered:
    """Every object one value set renders to."""

    value_set: str
    objects: tuple[dict[str, Any], ...]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """Objects of one kind, in template order."""
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        """The one object of this kind and name."""
        matches = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(matches) == 1, f"{kind}/{name}: {len(matches)} rendered"
        return matches[0]

    def names(self, kind: str) -> set[str]:
        """Names of every object of one kind."""
        return {o["metadata"]["name"] for o in self.of_kind(kind)}


def parse_manifests(text: str) -> tuple[dict[str, Any], ...]:
    """The YAML documents of a manifest stream, empty ones dropped."""
    return tuple(doc for doc in yaml.safe_load_all(text) if doc)


@functools.cache
def render(value_set: str) -> Rendered:
    """Render one value set once per test process."""
    return Rendered(value_set, parse_manifests(render_text(*values_args(value_set))))


def component(name: str) -> str:
    """A component's resource name for the test release."""
    return f"{RELEASE}-{name}"


def container(workload: dict[str, Any], name: str) -> dict[str, Any]:
    """One container of a Deployment or Job."""
    containers = workload["spec"]["template"]["spec"]["containers"]
    matches: list[dict[str, Any]] = [c for c in containers if c["name"] == name]
    assert len(matches) == 1, f"container {name}: {len(matches)} found"
    return matches[0]


def validate_crds(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check Prometheus Operator objects with the npm validators (one node process)."""
    node = shutil.which("node")
    if node is None or not (CRD_VALIDATOR_DIR / "node_modules").is_dir():
        raise HelmMissingError(
            "the CRD validators are not installed: run scripts/setup.sh (needs Node.js 20+)"
        )
    done = subprocess.run(
        [node, str(CRD_VALIDATOR_DIR / "validate.mjs")],
        input=json.dumps(objects),
        capture_output=True,
        text=True,
        check=True,
        cwd=CRD_VALIDATOR_DIR,
        timeout=60,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results
