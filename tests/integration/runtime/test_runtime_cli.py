"""`civicflow deploy`: prints what was deployed with versions; one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.engine import VirtualClock

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_deploy_prints_versions(clock: VirtualClock, models: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["deploy", str(models / "permit.bpmn"), str(models / "alarm.bpmn")])
    assert first.exit_code == 0, first.output
    assert "process  permit  version 1  (new)" in first.output
    assert "process  alarm  version 1  (new)" in first.output
    again = runner.invoke(app, ["deploy", str(models / "permit.bpmn"), "--json"])
    assert again.exit_code == 0, again.output
    doc = json.loads(again.output)
    assert doc["definitions"] == [{"kind": "process", "id": "permit", "version": 1, "key": "permit:1", "new": False}]


def test_deploy_refuses_a_broken_model_in_one_line(models: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("civicflow")), "deploy", str(models / "broken.bpmn")],
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "CIVICFLOW_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "CIVICFLOW_INSTANCE_DIR": str(tmp_path / "instance"),
        },
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "civicflow: error: broken.bpmn: 1 validation error(s): BPMN002 line 6 f1: target 'nowhere' does not exist"
    )
