"""``civicflow pilot start|status|adopt|stop`` on the reference building-permit service (issue #14)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.runtime import services
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.reference import deploy_reference_services
from civicflow.services import service

pytestmark = pytest.mark.django_db
PROCESS = "building_permit"


@pytest.fixture
def runner() -> CliRunner:
    deploy_reference_services()
    bpmn = service(PROCESS).folder / "building_permit.bpmn"
    text = bpmn.read_text(encoding="utf-8").replace("?>", "?>\n<!-- candidate -->", 1)
    services.deploy([("building_permit.bpmn", text)], name="candidate")
    return CliRunner()


def test_start_status_stop(runner: CliRunner) -> None:
    started = runner.invoke(app, ["pilot", "start", PROCESS, "--candidate", "2", "--share", "0.5", "--json"])
    assert started.exit_code == 0, started.output
    pilot = json.loads(started.output)
    assert (pilot["current"], pilot["candidate"], pilot["share"], pilot["status"]) == (1, 2, "0.5000", "running")
    for i in range(20):
        services.start_instance(PROCESS, business_key=f"CLI-{i}")
    catch_up()
    shown = runner.invoke(app, ["pilot", "status", str(pilot["id"]), "--json"])
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    assert status["instances"]["current"] + status["instances"]["candidate"] == 20
    assert {m["measure"] for m in status["measures"]} >= {"processing", "sla", "rework", "incidents", "satisfaction"}
    assert all(m["p_value"] is None and m["note"] for m in status["measures"])  # nothing finished yet: said so
    text = runner.invoke(app, ["pilot", "status", str(pilot["id"])])
    assert "version 1 (current) vs 2 (candidate)" in text.output
    assert "not enough data yet" in text.output
    listing = runner.invoke(app, ["pilot", "status"])
    assert f"{pilot['id']:>4}  {PROCESS}  v1 vs v2" in listing.output
    stopped = runner.invoke(app, ["pilot", "stop", str(pilot["id"])])
    assert stopped.exit_code == 0
    assert "new instances start on version 1" in stopped.output


def test_adopt_with_migration_and_clear_errors(runner: CliRunner) -> None:
    started = json.loads(
        runner.invoke(app, ["pilot", "start", PROCESS, "--candidate", "2", "--share", "0.5", "--json"]).output
    )
    for i in range(10):
        services.start_instance(PROCESS, business_key=f"CLI-{i}")
    again = runner.invoke(app, ["pilot", "start", PROCESS, "--candidate", "2", "--share", "0.5"])
    assert again.exit_code == 1
    assert again.output.strip().endswith("already running")
    assert len(again.output.strip().splitlines()) == 1
    adopted = runner.invoke(app, ["pilot", "adopt", str(started["id"]), "--migrate", "--json"])
    assert adopted.exit_code == 0, adopted.output
    assert json.loads(adopted.output)["status"] == "adopted"
    assert services.start_instance(PROCESS, business_key="AFTER").definition.version == 2
    missing = runner.invoke(app, ["pilot", "stop", "999"])
    assert missing.exit_code == 1
    assert "no pilot 999" in missing.output
    bad = runner.invoke(app, ["pilot", "start", PROCESS, "--candidate", "2", "--share", "abc"])
    assert bad.exit_code == 1
    assert "not a number" in bad.output
