"""The command line: exit codes, output streams and messages, over a fake runtime."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.inbound.cli.app import run
from adapters.inbound.cli.runtime import DevOptions, ServerState
from wildside.app.ingest_osm_extract import IngestReport
from wildside.app.plan_tour import EndOutOfReachError
from wildside.app.rebuild_walk_tiles import TileRebuildReport
from wildside.domain.accounts import IssuedToken, User
from wildside.domain.errors import ConfigurationError
from wildside.ports.map_data_store import MapDataStoreError
from wildside.ports.osm_extract_source import OsmExtractError
from wildside.ports.progress import Progress

REPORT = IngestReport(3, 1, 2, 6, 10, 12, 0.5)
REBUILD = TileRebuildReport(tiles_written=40, tiles_removed=2, version=17, seconds=1.25)


@dataclass
class FakeRuntime:
    is_running: bool = False
    ingested: list[tuple[Path, int | None]] = field(default_factory=list)
    fail_with: Exception | None = None
    calls: list[tuple] = field(default_factory=list)

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

    def rebuild_tiles(self, *, batch_size: int | None, progress: Progress) -> TileRebuildReport:
        if self.fail_with:
            raise self.fail_with
        self.calls.append(("rebuild_tiles", batch_size))
        progress.phase("rebuilding tiles", total=40)
        for _ in range(4):
            progress.advance(10)
        progress.close()
        return REBUILD

    def plan_tour(self, request: object) -> object:
        if self.fail_with:
            raise self.fail_with
        raise NotImplementedError

    def serve(self, host: str | None, port: int | None) -> int:
        self.calls.append(("serve", host, port))
        return 0

    def work(self) -> int:
        self.calls.append(("work",))
        return 0

    def dev(self, options: object, say: object, progress: object, show_route: object) -> int:
        self.calls.append(("dev", options))
        return 0

    def create_user(self, username: str, password: str | None, *, is_admin: bool) -> IssuedToken:
        if self.fail_with:
            raise self.fail_with
        self.calls.append(("create_user", username, password, is_admin))
        return IssuedToken("tok-1", User("u-1", username, is_admin), "wst_" + "s" * 43)

    def set_password(self, username: str, password: str) -> None:
        self.calls.append(("set_password", username, password))

    def issue_token(self, username: str, label: str) -> IssuedToken:
        self.calls.append(("issue_token", username, label))
        return IssuedToken("tok-2", User("u-1", username), "wst_" + "t" * 43)

    def revoke_token(self, token_id: str) -> None:
        self.calls.append(("revoke_token", token_id))


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


def test_an_end_out_of_reach_is_one_line_and_exit_one() -> None:
    # Given an engine that finds the end out of reach of the budget
    message = "the end cannot be reached from the start within the 5-minute budget at 1.3 m/s"
    runtime = FakeRuntime(fail_with=EndOutOfReachError(message, field="end"))
    # When a point-to-point route is asked for
    argv = ["route", "--lat", "60.17", "--lng", "24.94", "--minutes", "5"]
    code, out, err = _run([*argv, "--end-lat", "60.1675", "--end-lng", "24.9525"], runtime)
    # Then the walker reads one line, and the exit status says it failed
    assert (code, out) == (1, "")
    assert err == f"wildside: error: {message}\n"


def test_an_operating_system_refusal_is_one_line_too() -> None:
    runtime = FakeRuntime(fail_with=PermissionError(13, "Permission denied", "/data/x.pbf"))
    code, out, err = _run(["ingest", "/data/x.pbf"], runtime)
    assert (code, out) == (1, "")
    assert err == "wildside: error: [Errno 13] Permission denied: '/data/x.pbf'\n"


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


def test_users_create_prints_the_token_as_the_last_word() -> None:
    runtime = FakeRuntime()
    code, out, _ = _run(["users", "create", "ada", "--admin"], runtime)
    assert code == 0
    assert out.strip().splitlines()[-1].split()[-1] == "wst_" + "s" * 43
    assert runtime.calls == [("create_user", "ada", None, True)]


def test_users_create_reads_a_password_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    runtime = FakeRuntime()
    assert _run(["users", "create", "ada", "--password-stdin"], runtime)[0] == 0
    assert runtime.calls == [("create_user", "ada", "correct horse", False)]


def test_a_missing_stdin_password_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = _run(["users", "set-password", "ada"], FakeRuntime())
    assert code == 1
    assert "password on standard input" in err


def test_tokens_issue_and_revoke() -> None:
    runtime = FakeRuntime()
    code, out, _ = _run(["tokens", "issue", "ada", "--label", "laptop"], runtime)
    assert code == 0
    assert out.strip().split()[-1] == "wst_" + "t" * 43
    assert "tok-2" in out
    assert _run(["tokens", "revoke", "tok-2"], runtime)[0] == 0
    assert runtime.calls[-1] == ("revoke_token", "tok-2")


def test_serve_worker_and_dev_reach_the_runtime() -> None:
    runtime = FakeRuntime()
    assert _run(["serve", "--host", "0.0.0.0", "--port", "9000"], runtime)[0] == 0
    assert _run(["worker"], runtime)[0] == 0
    assert _run(["dev", "--exit-after-demo", "--port", "8123"], runtime)[0] == 0
    assert runtime.calls == [
        ("serve", "0.0.0.0", 9000),
        ("work",),
        ("dev", DevOptions("127.0.0.1", 8123, demo=True, exit_after_demo=True)),
    ]
    assert _run(["serve", "--port", "70000"], runtime)[0] == 2


def test_rebuild_tiles_reports_on_stdout_and_progress_lines_on_stderr() -> None:
    # Given a runtime whose rebuild writes 40 tiles in four steps
    runtime = FakeRuntime()
    # When the command runs with its output going to a log (not a terminal)
    code, out, err = _run(["rebuild-tiles", "--batch-size", "8"], runtime)
    # Then stdout has the report, and stderr shows how far it got
    assert code == 0
    assert runtime.calls == [("rebuild_tiles", 8)]
    assert "rebuilt 40 walking-graph tiles (version 17)" in out
    assert "removed 2 tiles" in out
    assert err.splitlines() == [
        "rebuild-tiles: rebuilding tiles (40)",
        "rebuild-tiles: rebuilding tiles 10/40",
        "rebuild-tiles: rebuilding tiles 20/40",
        "rebuild-tiles: rebuilding tiles 30/40",
        "rebuild-tiles: rebuilding tiles 40/40",
    ]


def test_rebuild_tiles_json_prints_one_object() -> None:
    code, out, _ = _run(["rebuild-tiles", "--json"], FakeRuntime())
    assert code == 0
    assert json.loads(out.splitlines()[-1]) == {
        "tiles_written": 40,
        "tiles_removed": 2,
        "version": 17,
        "seconds": 1.25,
    }


def test_a_failed_rebuild_is_one_line_and_exit_one() -> None:
    runtime = FakeRuntime(fail_with=MapDataStoreError("could not rebuild walking-graph tiles: x"))
    code, out, err = _run(["rebuild-tiles"], runtime)
    assert (code, out) == (1, "")
    assert err == "wildside: error: could not rebuild walking-graph tiles: x\n"
    assert _run(["rebuild-tiles", "--batch-size", "0"], FakeRuntime())[0] == 2


def test_end_anywhere_reaches_the_planner_and_cannot_be_mixed_with_an_end() -> None:
    # Given a runtime that records the request it is asked to plan
    asked: list[object] = []

    class Recording(FakeRuntime):
        def plan_tour(self, request: object) -> object:
            asked.append(request)
            raise EndOutOfReachError("stop here", field="end")

    argv = ["route", "--lat", "60.17", "--lng", "24.94", "--minutes", "30"]
    # When a tour that may end anywhere is asked for, Then the planner gets such a request
    _run([*argv, "--end-anywhere"], Recording())
    assert [getattr(r, "end_anywhere", None) for r in asked] == [True]
    # And an end point with --end-anywhere is refused before planning anything
    code, _, err = _run(
        [*argv, "--end-anywhere", "--end-lat", "60.2", "--end-lng", "25"], Recording()
    )
    assert (code, len(asked)) == (1, 1)
    assert "not both" in err


def test_alternatives_reach_the_planner_within_their_range() -> None:
    asked: list[object] = []

    class Recording(FakeRuntime):
        def plan_tour(self, request: object) -> object:
            asked.append(request)
            raise EndOutOfReachError("stop here", field="end")

    argv = ["route", "--lat", "60.17", "--lng", "24.94", "--minutes", "30"]
    _run([*argv, "--alternatives", "3"], Recording())
    assert [getattr(r, "alternatives", None) for r in asked] == [3]
    # Out of range: a clear error, exit 1, nothing planned
    code, _, err = _run([*argv, "--alternatives", "6"], Recording())
    assert (code, len(asked)) == (1, 1)
    assert "alternatives must be between 1 and 5" in err
