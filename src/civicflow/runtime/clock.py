"""Time and ids for the runtime: the wall clock and uuid4 by default, a clock injectable per context."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from civicflow.engine import Clock

__all__ = ["CurrentClock", "SystemClock", "UuidIds", "current_clock", "using_clock"]


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidIds:
    """Instance ids from uuid4."""

    def new_id(self) -> str:
        return str(uuid.uuid4())


_SYSTEM = SystemClock()
_clock: ContextVar[Clock] = ContextVar("civicflow_runtime_clock", default=_SYSTEM)


def current_clock() -> Clock:
    """The clock of the current context (the wall clock unless :func:`using_clock` says otherwise)."""
    return _clock.get()


@contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    """Run the enclosed runtime calls on ``clock`` (tests use a ``VirtualClock``)."""
    token = _clock.set(clock)
    try:
        yield clock
    finally:
        _clock.reset(token)


class CurrentClock:
    """A clock that asks :func:`current_clock` each time: compiled graphs outlive any one context."""

    def now(self) -> datetime:
        return _clock.get().now()
