"""``civicflow bpmn check``: output format, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GOOD = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <process id="p" isExecutable="true">
    <startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="w" />
    <serviceTask id="w" /><sequenceFlow id="f2" sourceRef="w" targetRef="e" /><endEvent id="e" />
  </process>
</definitions>
"""
BAD = GOOD.replace(b'<sequenceFlow id="f2" sourceRef="w" targetRef="e" />', b'<sequenceFlow id="f2" sourceRef="w" />')


def civicflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("civicflow")), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )


def test_warnings_only_exit_zero(tmp_path: Path) -> None:
    good = tmp_path / "good.bpmn"
    good.write_bytes(GOOD)
    result = civicflow("bpmn", "check", str(good))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"{good}:4: BPMN010 warning w: serviceTask without a job type (zeebe:taskDefinition, camunda:topic/class)"
    ]


def test_errors_exit_one_and_unreadable_files_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(BAD)
    text = tmp_path / "notes.bpmn"
    text.write_text("just words", encoding="utf-8")
    missing = tmp_path / "missing.bpmn"
    result = civicflow("bpmn", "check", str(bad), str(text), str(missing))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"{bad}:4: BPMN002 error f2: target '' does not exist" in lines
    assert any(line.startswith(f"{text}:1: BPMN000 error: not well-formed XML") for line in lines)
    assert f"{missing}: BPMN000 error: cannot read file: No such file or directory" in lines


def test_json_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(BAD)
    result = civicflow("bpmn", "check", "--json", str(bad))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    (entry,) = report["files"]
    assert entry["loaded"] is True
    codes = [(d["code"], d["severity"], d["element_id"], d["line"]) for d in entry["diagnostics"]]
    assert ("BPMN002", "error", "f2", 4) in codes
