"""Runtime tests: a virtual clock, fresh compiled-model caches, and the test models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicflow.engine import VirtualClock

MODELS = Path(__file__).parent / "models"
BENCH_MODEL = Path(__file__).resolve().parents[4] / "shared" / "bench" / "engine" / "model_feel.bpmn"


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    from civicflow.runtime.clock import using_clock
    from civicflow.runtime.definitions import clear_caches

    clear_caches()
    virtual = VirtualClock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    with using_clock(virtual):
        yield virtual
    clear_caches()


@pytest.fixture
def models() -> Path:
    return MODELS


@pytest.fixture
def bench_model() -> Path:
    if not BENCH_MODEL.exists():
        pytest.skip(f"shared benchmark model absent: {BENCH_MODEL}")
    return BENCH_MODEL
