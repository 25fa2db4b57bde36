"""`civicflow dmn eval` and `civicflow feel` on good input."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli_errors import DATA, civicflow


def test_dmn_eval_prints_outputs() -> None:
    inputs = json.dumps({"Applicant": {"age": 30, "category": "resident"}, "Permit days": 2.5})
    result = civicflow("dmn", "eval", str(DATA / "fees.dmn"), "--decision", "Permit fee", "--input", inputs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Permit fee: 12.5"


def test_dmn_eval_json_has_explanation() -> None:
    inputs = json.dumps({"Applicant": {"age": 80, "category": "resident"}})
    result = civicflow("dmn", "eval", str(DATA / "fees.dmn"), "--decision", "Daily rate", "--input", inputs, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["outputs"] == {"Daily rate": 2}
    (table,) = doc["explanation"][0]["tables"]
    assert table["inputs"] == {"Age": 80, "Category": "resident"}
    assert [r["id"] for r in table["matched_rules"]] == ["r_senior"]


def test_feel_expression_with_context() -> None:
    result = civicflow("feel", "x * 2 + 0.1", "--context", '{"x": 0.2}', "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"value": 0.5, "warnings": []}


def test_tck_command_on_one_folder(tmp_path: Path) -> None:
    tck = Path(__file__).resolve().parents[3].parent / "shared/data/dmn-tck/TestCases/compliance-level-2"
    if not tck.is_dir():
        import pytest

        pytest.skip(f"DMN TCK not found at {tck}")
    result = civicflow("dmn", "tck", str(tck / "0004-simpletable-U"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 passed, 0 failed"
