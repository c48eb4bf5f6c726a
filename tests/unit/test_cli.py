"""The command line: exit codes, output streams and messages, over a fake runtime."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from adapters.inbound.cli.app import run
from adapters.inbound.cli.runtime import ServerState
from wildside.app.ingest_osm_extract import IngestReport
from wildside.domain.errors import ConfigurationError
from wildside.ports.osm_extract_source import OsmExtractError
from wildside.ports.progress import Progress

REPORT = IngestReport(3, 1, 2, 6, 10, 12, 0.5)


@dataclass
class FakeRuntime:
    is_running: bool = False
    ingested: list[tuple[Path, int | None]] = field(default_factory=list)
    fail_with: Exception | None = None

    def _states(self) -> list[ServerState]:
        return [
            ServerState(
                "postgresql", self.is_running, "postgresql://h:1/db", "WILDSIDE_DATABASE_URL"
            ),
            ServerState("redis", self.is_running, "redis://h:2/0", "WILDSIDE_REDIS_URL"),
        ]

    def start_servers(self) -> list[ServerState]:
        self.is_running = True
        return self._states()

    def stop_servers(self) -> list[ServerState]:
        self.is_running = False
        return self._states()

    def server_status(self) -> list[ServerState]:
        return self._states()

    def migrate(self) -> list[str]:
        return ["0001_a"]

    def sample_path(self, name: str) -> Path:
        return Path(f"/samples/{name}.pbf")

    def ingest(self, path: Path, *, batch_size: int | None, progress: Progress) -> IngestReport:
        if self.fail_with:
            raise self.fail_with
        self.ingested.append((path, batch_size))
        return REPORT


def _run(argv: list[str], runtime: FakeRuntime) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, lambda: runtime, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_services_start_prints_only_export_lines_on_stdout() -> None:
    code, out, err = _run(["services", "start"], FakeRuntime())
    assert code == 0
    assert out.splitlines() == [
        "export WILDSIDE_DATABASE_URL=postgresql://h:1/db",
        "export WILDSIDE_REDIS_URL=redis://h:2/0",
    ]
    assert "running" in err


def test_services_status_is_non_zero_when_stopped() -> None:
    code, out, _ = _run(["services", "status"], FakeRuntime(is_running=False))
    assert code == 3
    assert "postgresql: stopped" in out
    assert _run(["services", "status"], FakeRuntime(is_running=True))[0] == 0


def test_ingest_json_prints_one_object_with_the_documented_keys() -> None:
    runtime = FakeRuntime()
    code, out, _ = _run(
        ["ingest", "--sample", "helsinki", "--json", "--batch-size", "500"], runtime
    )
    assert code == 0
    assert json.loads(out) == {
        "pois_inserted": 3,
        "pois_updated": 1,
        "pois_unchanged": 2,
        "pois_total": 6,
        "network_nodes": 10,
        "network_edges": 12,
        "seconds": 0.5,
    }
    assert runtime.ingested == [(Path("/samples/helsinki.pbf"), 500)]


def test_ingest_text_report_lists_every_count() -> None:
    code, out, _ = _run(["ingest", "some.osm.pbf"], FakeRuntime())
    assert code == 0
    assert "6 (3 inserted, 1 updated, 2 unchanged)" in out
    assert "10 nodes, 12 edges" in out


def test_domain_errors_become_one_line_and_exit_one() -> None:
    runtime = FakeRuntime(fail_with=OsmExtractError("x.pbf: no such file", path=Path("x.pbf")))
    code, out, err = _run(["ingest", "x.pbf"], runtime)
    assert (code, out) == (1, "")
    assert err == "wildside: error: x.pbf: no such file\n"


def test_configuration_errors_at_start_up_are_reported_too() -> None:
    def broken() -> FakeRuntime:
        raise ConfigurationError("WILDSIDE_PG_PORT='x' is invalid", variable="WILDSIDE_PG_PORT")

    err = io.StringIO()
    assert run(["migrate"], broken, stdout=io.StringIO(), stderr=err) == 1
    assert "WILDSIDE_PG_PORT" in err.getvalue()


def test_usage_errors_exit_two() -> None:
    assert _run(["ingest"], FakeRuntime())[0] == 2
    assert _run(["ingest", "--batch-size", "0", "x.pbf"], FakeRuntime())[0] == 2
    assert _run(["ingest", "--sample", "atlantis"], FakeRuntime())[0] == 2
    assert _run(["frobnicate"], FakeRuntime())[0] == 2
