"""The Dagster UI in a real browser: `dagster-webserver` on a loopback port over the
instance of a small clinic built by the CLI, opened in headless Chromium; what an ops
person sees is asserted from the rendered DOM, and screenshots go to data/ui/."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser import open_page  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "data" / "ui"
CLI = [sys.executable, "-m", "orchestration.cli"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tmp_path_factory, demo_build):
    """The session's demo clinic (its planted bad rows make quarantine WARNs) copied with
    its instance to where the CLI keeps a warehouse's own (`W.dagster`), then `provider-view
    ui --warehouse W` (what `make dev` runs) with no other setting: the UI finds the
    instance, the inputs and the sources by itself."""
    root = tmp_path_factory.mktemp("ui")
    warehouse = demo_build.copy(root / "warehouse.duckdb")
    home = demo_build.copy_home(root / "warehouse.dagster")  # the warehouse's own instance
    record = home / "provider_view.json"  # what the CLI recorded, for the copy
    recorded = json.loads(record.read_text(encoding="utf-8"))
    assert recorded["inputs"] == str(demo_build.inputs)
    record.write_text(json.dumps({**recorded, "warehouse": str(warehouse)}), encoding="utf-8")
    inputs = demo_build.inputs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVIDER_VIEW_", "DAGSTER"))}
    port = _free_port()
    with open(root / "ui.log", "w") as log:
        server = subprocess.Popen(
            [*CLI, "ui", "--warehouse", str(warehouse), "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                pytest.fail(f"the UI did not start:\n{(root / 'ui.log').read_text()[-4000:]}")
            time.sleep(1)
        ui = UI(base, warehouse, home, inputs)
        while (status := _location(ui))["loadStatus"] != "LOADED":
            if time.time() > deadline:
                pytest.fail(f"the code location did not load: {status}")
            time.sleep(1)
        error = status["locationOrLoadError"]
        assert error["__typename"] == "RepositoryLocation", error
        yield ui
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM stops the UI (`dagster dev`, its webserver, daemon and code servers) even
    though this test process ignores SIGINT, as xdist workers do; whatever is left after
    60 s is killed, so no server outlives the test, and the test fails."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        pytest.fail("the UI ignored SIGTERM: killed it")
    with contextlib.suppress(ProcessLookupError):  # a child that outlived `dagster dev`
        os.killpg(server.pid, signal.SIGKILL)


@dataclass
class UI:
    url: str
    warehouse: Path
    home: Path
    inputs: Path


def _location(ui: UI) -> dict:
    query = """{ workspaceOrError { ... on Workspace { locationEntries {
        loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
    return _graphql(ui, query)["workspaceOrError"]["locationEntries"][0]


def _graphql(ui: UI, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{ui.url}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["data"]


def _text(dom: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", dom.split("<body", 1)[-1], flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _page(ui: UI, path: str, shot: str):
    page = open_page(ui.url + path, screenshot=SHOTS / shot, size=(1600, 1000), budget_ms=20000)
    assert page.screenshot.stat().st_size > 10_000
    return page


def test_the_lineage_runs_raw_staging_intermediate_marts_then_the_published_warehouse(ui):
    page = _page(ui, "/asset-groups", "lineage.png")
    groups = {
        " ".join(re.sub(r"<[^>]+>", " ", body).split()): float(x)
        for x, body in re.findall(
            r'<foreignObject x="([\d.]+)"[^>]*class="group">(.*?)</foreignObject>', page.dom, re.S
        )
    }
    order = ["raw_files", "staging", "intermediate", "marts", "warehouse"]
    assert set(order) <= set(groups), groups
    assert sorted(order, key=groups.get) == order, groups  # left to right, as the data flows


def test_the_refresh_job_and_its_daily_schedule_are_there(ui):
    job = _text(_page(ui, "/locations/orchestration.definitions/jobs/refresh", "job.png").dom)
    assert "Jobs / refresh" in job
    assert "2 schedules/sensors" in job  # daily_refresh and new_exports start it
    automation = _text(_page(ui, "/automation", "automation.png").dom)
    assert "daily_refresh" in automation and "At 06:00 AM UTC" in automation
    for name in ("new_exports", "alert_on_failure"):
        assert name in automation


def test_a_check_that_warned_shows_a_warning_not_an_error(ui):
    page = _page(
        ui, "/assets/raw/files/services?view=checks&checkDetail=quarantine_share", "check.png"
    )
    text = _text(page.dom)
    assert re.search(r"\d+ of \d+ rows quarantined \([\d.]+%\)", text), text[:2000]
    icons = re.findall(
        r'aria-label="(\w+)" style="--icon-color: var\(--color-accent-(\w+)\);[^"]*"></div></div>'
        r'<span[^>]*><div class="MiddleTruncate_container[^"]*" title="(\w+)"',
        page.dom,
    )
    assert ("warning_outline", "yellow", "quarantine_share") in icons, icons
    assert ("check_circle", "green", "gx_suite") in icons, icons


_LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""
_STATUS = """
query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status tags { key value } } } }
"""


def test_materialize_all_from_the_ui_rebuilds_and_publishes_what_the_cli_built(ui):
    """What the "Materialize all" button launches: the `refresh` job with no run config,
    on the inputs the CLI recorded (no PROVIDER_VIEW_INPUTS anywhere)."""
    published_before = ui.warehouse.stat().st_ino
    launched = _graphql(
        ui,
        _LAUNCH,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": "orchestration.definitions",
                    "repositoryName": "__repository__",
                    "jobName": "refresh",
                },
                "runConfigData": {},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.time() + 900
    while True:
        status = _graphql(ui, _STATUS, {"runId": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED") or time.time() > deadline:
            break
        time.sleep(3)
    assert status == "SUCCESS", f"run {run_id}: {status}"
    assert ui.warehouse.stat().st_ino != published_before  # a new file was swapped in
    assert not list(ui.warehouse.parent.glob(f"{ui.warehouse.name}.*.building*"))
    _page(ui, f"/runs/{run_id}", "materialize_all_run.png")
