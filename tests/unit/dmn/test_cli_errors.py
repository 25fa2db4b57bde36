"""Bad input through the command line: one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def civicflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("civicflow")), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("civicflow: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("file", "fragments"),
    [
        ("malformed.dmn", ("malformed XML", "malformed.dmn")),
        ("xxe.dmn", ("unsafe XML refused", "DTDs and entities are not allowed")),
        ("billion-laughs.dmn", ("unsafe XML refused",)),
        ("does-not-exist.dmn", ("cannot read the file",)),
    ],
)
def test_unreadable_models(file: str, fragments: tuple[str, ...]) -> None:
    result = civicflow("dmn", "eval", str(DATA / file), "--decision", "D", "--input", "{}")
    assert_one_line_error(result, *fragments)


def test_unknown_decision_lists_the_known_ones() -> None:
    result = civicflow("dmn", "eval", str(DATA / "fees.dmn"), "--decision", "Nope", "--input", "{}")
    assert_one_line_error(result, "no decision, BKM or decision service 'Nope'", "Daily rate", "Permit fee")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("[1, 2]", "--input must be a JSON object, not list"),
        ('"text"', "--input must be a JSON object, not str"),
        ("{not json", "--input is not valid JSON"),
    ],
)
def test_input_must_be_a_json_object(payload: str, fragment: str) -> None:
    result = civicflow("dmn", "eval", str(DATA / "fees.dmn"), "--decision", "Permit fee", "--input", payload)
    assert_one_line_error(result, fragment)


def test_feel_context_must_be_a_json_object() -> None:
    assert_one_line_error(civicflow("feel", "1 + 1", "--context", "[]"), "--context must be a JSON object")


def test_tck_on_a_folder_without_tests() -> None:
    assert_one_line_error(civicflow("dmn", "tck", str(DATA)), "no TCK test files")
