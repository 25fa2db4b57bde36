"""``decide`` and ``execute``: a command in, events out."""

from __future__ import annotations

from civicflow.engine.commands import Command
from civicflow.engine.events import Event
from civicflow.engine.graph import Graph
from civicflow.engine.handlers import HANDLERS
from civicflow.engine.processor import Context, Processor
from civicflow.engine.state import InstanceState

__all__ = ["decide", "execute"]


def execute(graph: Graph, state: InstanceState, command: Command, ctx: Context) -> list[Event]:
    """Run ``command`` against ``state`` in place and return the events it wrote.

    Each event has been applied to ``state`` by :func:`civicflow.engine.apply.apply` when this
    returns, so ``replay(previous_events + result)`` equals ``state``. On
    :class:`~civicflow.engine.errors.CommandRejectedError` nothing has been written.
    """
    processor = Processor(graph, state, ctx)
    HANDLERS[type(command)](processor, command)
    processor.run()
    return processor.events


def decide(graph: Graph, state: InstanceState, command: Command, ctx: Context) -> list[Event]:
    """The events ``command`` produces, leaving ``state`` untouched (works on a copy)."""
    return execute(graph, state.clone(), command, ctx)
