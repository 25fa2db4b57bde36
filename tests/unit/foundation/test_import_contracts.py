"""The pure core must not import frameworks, databases or network code.

The contract lives in pyproject.toml; these tests show it passes on the project and that a
violation really fails the run (a contract that cannot fail would be a defect).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


def test_project_keeps_its_contracts() -> None:
    result = _lint(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("feel", "import django.conf\n"),
        ("engine", "from civicflow.runtime import models\n"),
        ("mining", "import sqlite3\n"),
    ],
)
def test_a_core_module_importing_an_adapter_breaks_the_contract(tmp_path: Path, module: str, source: str) -> None:
    # A copy of the project's contract over a tiny fake package with one bad import.
    pkg = tmp_path / "src" / "civicflow"
    # Every real subpackage exists in the fake too, so the contract's module names all resolve.
    for name in sorted(p.parent.name for p in (ROOT / "src" / "civicflow").glob("*/__init__.py")):
        (pkg / name).mkdir(parents=True)
        (pkg / name / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "runtime" / "models.py").write_text("")
    (pkg / module / "bad.py").write_text(source)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    result = _lint(tmp_path, tmp_path / "src")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"civicflow.{module}.bad" in result.stdout
    assert "BROKEN" in result.stdout
