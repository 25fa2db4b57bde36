"""The DMN TCK (compliance levels 2 and 3), one test per test case, from ../shared/data/dmn-tck.

Known failures live in KNOWN_FAILURES below, each with its reason, applied as strict xfail: a
case that starts passing fails the run until its entry is removed, so the list stays honest.
Whoever fixes a cause removes its entries (and updates docs/dev/tck-feel-failures.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from civicflow.dmn.tck import CaseResult, find_test_files, run_folder

TCK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dmn-tck" / "TestCases"
LEVELS = ("compliance-level-2", "compliance-level-3")

KNOWN_FAILURES: dict[tuple[str, str], str] = {
    # java.lang.String.format(String, Object[]) needs Java's Formatter; only numeric java.lang.Math
    # and valueOf methods are emulated (civicflow/dmn/_java.py).
    ("0076-feel-external-java", "varargs_001"): "Java varargs String.format is not emulated",
}


class _WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@cache
def _results(test_file: Path) -> dict[str, CaseResult]:
    return {r.case_id: r for r in run_folder(test_file, level=test_file.parts[-3], clock=_WallClock())}


def _case_ids(test_file: Path) -> list[str]:
    import defusedxml.ElementTree as SafeET

    root = SafeET.parse(str(test_file), forbid_dtd=True).getroot()
    return [c.get("id", "?") for c in root if isinstance(c.tag, str) and c.tag.endswith("}testCase")]


def _params() -> list[object]:
    if not TCK.is_dir():
        return [pytest.param(None, "", id="tck-absent", marks=pytest.mark.skip(reason=f"DMN TCK not found at {TCK}"))]
    params: list[object] = []
    for level in LEVELS:
        for test_file in find_test_files(TCK / level):
            folder = test_file.parent.name
            for case_id in _case_ids(test_file):
                reason = KNOWN_FAILURES.get((folder, case_id))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(test_file, case_id, id=f"{folder}/{case_id}", marks=marks))
    return params


@pytest.mark.parametrize(("test_file", "case_id"), _params())
def test_tck_case(test_file: Path, case_id: str) -> None:
    result = _results(test_file)[case_id]
    assert result.error is None, result.error
    assert result.passed, f"expected {result.expected}, got {result.actual}"


def test_known_failures_name_real_cases() -> None:
    if not TCK.is_dir():
        pytest.skip(f"DMN TCK not found at {TCK}")
    known = {
        (f.parent.name, case_id) for level in LEVELS for f in find_test_files(TCK / level) for case_id in _case_ids(f)
    }
    assert set(KNOWN_FAILURES) <= known
