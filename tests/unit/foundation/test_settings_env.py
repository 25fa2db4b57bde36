"""Settings come from the environment; bad values give one line, JSON logs are JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CIVICFLOW = str(Path(sys.executable).with_name("civicflow"))


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    base["CIVICFLOW_INSTANCE_DIR"] = str(tmp_path / "instance")
    return subprocess.run(
        [CIVICFLOW, *args], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True, check=False
    )


def test_bad_database_url_is_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "manage", "check", CIVICFLOW_DATABASE_URL="bogus")
    assert result.returncode == 1
    assert result.stderr.startswith("civicflow: error: CIVICFLOW_DATABASE_URL is not a valid database URL")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_log_format_is_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "manage", "check", CIVICFLOW_LOG_FORMAT="xml")
    assert result.returncode == 1
    assert result.stderr.strip() == "civicflow: error: CIVICFLOW_LOG_FORMAT must be 'text' or 'json', not 'xml'"


def test_json_logs_are_one_json_object_per_line(tmp_path: Path) -> None:
    code = "import logging; logging.getLogger('civicflow.probe').warning('hello %s', 'world')"
    result = run(tmp_path, "manage", "shell", "-c", code, CIVICFLOW_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"level": "WARNING", "logger": "civicflow.probe", "message": "hello world"}.items() <= records[0].items()


def test_debug_is_off_by_default(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = run(tmp_path, "manage", "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "False"
