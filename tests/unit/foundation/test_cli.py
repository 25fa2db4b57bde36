"""The `civicflow` command contract: groups present, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GROUPS = ["serve", "worker", "deploy", "bpmn", "feel", "dmn", "mine", "kpi", "audit", "gdpr"]


def civicflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("civicflow")), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )


def test_help_lists_every_command_group() -> None:
    result = civicflow("--help")
    assert result.returncode == 0
    listed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2}
    assert set(GROUPS) <= listed, f"missing: {set(GROUPS) - listed}"


@pytest.mark.parametrize("group", ["bpmn", "dmn", "mine", "kpi", "audit", "gdpr"])
def test_every_group_has_help(group: str) -> None:
    result = civicflow(group, "--help")
    assert result.returncode == 0
    assert "Usage: civicflow " + group in " ".join(result.stdout.split())


def test_version() -> None:
    result = civicflow("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("civicflow ")


def test_bad_input_is_one_line_and_exits_1() -> None:
    result = civicflow("gdpr", "erase", "someone")
    assert result.returncode == 1
    assert result.stderr == (
        "civicflow: error: SUBJECT must be a citizen's email address, account id, party:<id>, national-id:<n> or"
        " company-number:<n>\n"
    )
    assert "Traceback" not in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = civicflow("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr
