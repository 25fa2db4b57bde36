"""Process trees: the block-structured models the inductive miner discovers.

A tree is a leaf (an activity, or tau when ``label`` is None) or an operator over children:
``->`` sequence, ``X`` exclusive choice, ``+`` parallel, ``*`` redo loop (the first child is the
"do" part, every other child a "redo" part that leads back to the do part). The text form follows
the notation of the process-mining literature and pm4py, e.g. ``->( 'a', X( 'b', tau ) )``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from civicflow.mining._errors import EventLogError

__all__ = ["Operator", "ProcessTree"]


class Operator(StrEnum):
    SEQUENCE = "->"
    XOR = "X"
    PARALLEL = "+"
    LOOP = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessTree:
    """A node of a process tree: an operator with children, or a leaf (``label`` None is tau)."""

    operator: Operator | None = None
    label: str | None = None
    children: tuple[ProcessTree, ...] = ()

    def __post_init__(self) -> None:
        if self.operator is None and self.children:
            raise EventLogError("a process tree leaf has no children")
        if self.operator is not None and self.label is not None:
            raise EventLogError(f"a {self.operator.value} node has no label")
        if self.operator is not None and len(self.children) < 2:
            raise EventLogError(f"a {self.operator.value} node needs at least two children")

    @classmethod
    def leaf(cls, label: str | None) -> ProcessTree:
        """An activity leaf, or tau for ``None``."""
        return cls(label=label)

    @classmethod
    def tau(cls) -> ProcessTree:
        """The silent step."""
        return cls()

    @classmethod
    def node(cls, operator: Operator, children: tuple[ProcessTree, ...] | list[ProcessTree]) -> ProcessTree:
        """An operator node; nested sequence, choice and parallel nodes of the same kind are merged."""
        flat: list[ProcessTree] = []
        for child in children:
            if operator is not Operator.LOOP and child.operator is operator:
                flat.extend(child.children)
            else:
                flat.append(child)
        if operator in {Operator.SEQUENCE, Operator.PARALLEL}:
            # a silent step in a sequence or beside parallel branches changes nothing
            flat = [child for child in flat if not child.is_tau] or [cls()]
        if operator is Operator.XOR:
            # a choice between two silent steps is one silent step
            seen_tau = False
            kept = []
            for child in flat:
                if child.is_tau:
                    if seen_tau:
                        continue
                    seen_tau = True
                kept.append(child)
            flat = kept
        if len(flat) == 1 and operator is not Operator.LOOP:
            return flat[0]
        return cls(operator=operator, children=tuple(flat))

    @property
    def is_leaf(self) -> bool:
        return self.operator is None

    @property
    def is_tau(self) -> bool:
        return self.operator is None and self.label is None

    def walk(self) -> Iterator[ProcessTree]:
        """Every node, parents before children (iterative: deep trees do not exhaust the stack)."""
        stack = [self]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    @property
    def activities(self) -> set[str]:
        """The labels of the visible leaves."""
        return {n.label for n in self.walk() if n.label is not None}

    @property
    def size(self) -> int:
        """The number of nodes."""
        return sum(1 for _ in self.walk())

    def __str__(self) -> str:
        # Built iteratively: a closing marker is pushed after the children of each operator.
        parts: list[str] = []
        stack: list[ProcessTree | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            elif item.operator is None:
                parts.append("tau" if item.label is None else _quote(item.label))
            else:
                parts.append(f"{item.operator.value}( ")
                stack.append(" )")
                for index in range(len(item.children) - 1, -1, -1):
                    stack.append(item.children[index])
                    if index:
                        stack.append(", ")
        return "".join(parts)


def _quote(label: str) -> str:
    return "'" + label.replace("\\", "\\\\").replace("'", "\\'") + "'"
