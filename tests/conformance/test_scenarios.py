"""Every scenario in tests/conformance/scenarios runs twice: straight, and with the state
serialized and restored after every command (STYLE.md 4). Each run also checks that replaying
the recorded history rebuilds the final state exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.engine.scenario import run_scenario

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "restore"])
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, restore: bool) -> None:
    result = run_scenario(path, restore=restore)
    assert result.passed, "\n".join(result.failures)


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 20
