#!/usr/bin/env bash
# Build the Wildside image with podman on a machine that cannot pull base images
# (no Docker Hub): the base is a Debian 12 root file system made by debootstrap
# from Debian's own archive (python3 3.11, python3-venv), imported once as
# localhost/wildside-base:bookworm; the repository's Dockerfile is then built on it.
#
#   scripts/image-build.sh                 # install podman etc. (apt), make the base, build
#   scripts/image-build.sh --base-only     # just install the tools and make the base image
#   scripts/image-build.sh --tag NAME      # build as NAME (default localhost/wildside:dev)
#
# Not run by scripts/setup.sh: the base takes about 1.5 minutes to bootstrap and
# the build about 2 minutes (it installs the runtime dependencies from PyPI).
# Where Docker Hub is reachable, a plain `docker build .` needs none of this.
# Idempotent, no prompts; installing packages needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=localhost/wildside-base:bookworm
TAG=localhost/wildside:dev
BASE_ONLY=0
while (($#)); do
  case $1 in
    --base-only) BASE_ONLY=1 ;;
    --tag) TAG=$2; shift ;;
    *) echo "usage: $0 [--base-only] [--tag NAME]" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'image-build: %s\n' "$*" >&2; }

APT_PACKAGES=(podman runc debootstrap uidmap)
install_tools() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" -eq 0 ] || { say "need root to apt-get install ${missing[*]}"; exit 1; }
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# This VM gives root no CAP_SYS_RESOURCE and has hybrid cgroups: crun (podman's
# default runtime) refuses hybrid cgroups, and podman's default rlimits
# (nofile 1048576) cannot be set. runc with limits at or below ours works.
PODMAN_RUN_OPTS=(--runtime runc --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
# A TLS-intercepting proxy may sit between this machine and PyPI: let the build
# use the host's CA bundle (mounted for RUN steps only, never stored in the image).
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

make_base() {
  podman image exists "$BASE_IMAGE" && return 0
  local root
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  say "bootstrapping Debian 12 (minbase + python3, python3-venv) into $root"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; say "debootstrap failed"; exit 1; }
  rm -f "$root.log"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | podman import --change 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null
  say "imported $BASE_IMAGE"
}

build() {
  local volume=()
  [ -f "$CA_BUNDLE" ] && volume=(-v "$CA_BUNDLE:/etc/ssl/certs/ca-certificates.crt:ro")
  say "building $TAG from $BASE_IMAGE"
  podman build "${PODMAN_RUN_OPTS[@]}" "${volume[@]}" \
    --build-arg "PYTHON_IMAGE=$BASE_IMAGE" -t "$TAG" . >&2
  podman image inspect --format '{{.Id}}' "$TAG"
}

install_tools
make_base
((BASE_ONLY)) || build
