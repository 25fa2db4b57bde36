"""Connector integration tests: real servers on loopback (HTTP, SMTP, NATS JetStream)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicflow.engine import VirtualClock
from support.loopback import Receiver


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    from civicflow.connectors._model import clear_cache
    from civicflow.runtime.clock import using_clock
    from civicflow.runtime.definitions import clear_caches

    clear_caches()
    clear_cache()
    virtual = VirtualClock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    with using_clock(virtual):
        yield virtual
    clear_caches()
    clear_cache()


@pytest.fixture
def receiver() -> Iterator[Callable[[Callable[[dict[str, Any]], tuple[int, bytes]]], Receiver]]:
    made: list[Receiver] = []

    def make(respond: Callable[[dict[str, Any]], tuple[int, bytes]]) -> Receiver:
        made.append(Receiver(respond))
        return made[-1]

    yield make
    for r in made:
        r.close()
