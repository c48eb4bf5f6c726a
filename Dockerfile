# Wildside: one image for every process (`wildside serve`, `worker`, `migrate`).
#
#   docker build -t wildside:0.1.0 .
#   docker run --rm wildside:0.1.0 --help
#
# PYTHON_IMAGE is any Debian-based image with CPython 3.11 as `python3` (the
# official slim image by default); both stages must use the same one, because
# the virtual environment built in the first is copied into the second.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --------------------------------------------------------------------------
# Build stage: a virtual environment with Wildside and its pinned runtime
# dependencies only (every one ships manylinux wheels: no compiler needed).
# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python3 -m venv /opt/wildside

# pyproject.toml pins the runtime dependencies exactly; the `dev` extra is not installed.
COPY pyproject.toml README.md ./
COPY wildside ./wildside
COPY adapters ./adapters
RUN /opt/wildside/bin/python -m pip install --no-compile . \
    && /opt/wildside/bin/python -m compileall -q /opt/wildside/lib \
    && rm -rf /opt/wildside/lib/python3.11/site-packages/pip \
              /opt/wildside/lib/python3.11/site-packages/pip-*.dist-info \
              /opt/wildside/bin/pip /opt/wildside/bin/pip3 /opt/wildside/bin/pip3.11

# --------------------------------------------------------------------------
# Runtime stage: the interpreter, the virtual environment and the migrations.
# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="wildside" \
      org.opencontainers.image.description="Walking tours through the most interesting nearby places" \
      org.opencontainers.image.licenses="ISC" \
      org.opencontainers.image.source="https://github.com/leynos/wildside"

# A fixed numeric uid/gid, so Kubernetes can check runAsNonRoot without a name lookup.
RUN groupadd --system --gid 10001 wildside \
    && useradd --system --uid 10001 --gid wildside --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin wildside \
    && mkdir -p /app /var/cache/wildside/numba \
    && chown -R 10001:10001 /var/cache/wildside

COPY --from=build /opt/wildside /opt/wildside
COPY migrations /app/migrations

# The API listens on every interface in a container; numba writes its compiled
# kernels to a directory of its own (an emptyDir when the root file system is
# read-only); migrations are looked up where the image puts them.
ENV PATH=/opt/wildside/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NUMBA_CACHE_DIR=/var/cache/wildside/numba \
    WILDSIDE_HTTP_HOST=0.0.0.0 \
    WILDSIDE_HTTP_PORT=8000 \
    WILDSIDE_WORKER_METRICS_PORT=9191 \
    WILDSIDE_MIGRATIONS_DIR=/app/migrations \
    WILDSIDE_RUN_DIR=/tmp/wildside

WORKDIR /app
USER 10001:10001

# 8000: `wildside serve` (API, /ws, /health/*, /metrics); 9191: `wildside worker` /metrics.
EXPOSE 8000 9191

ENTRYPOINT ["wildside"]
CMD ["serve"]
