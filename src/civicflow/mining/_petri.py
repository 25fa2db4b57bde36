"""Accepting Petri nets: what discovery produces and what conformance checking replays against.

Places and transitions are identified by string ids so that nets read from PNML, converted from
BPMN or built from a process tree share one shape. A transition with ``label=None`` is silent
(tau): it moves tokens without matching an event. Markings are multisets of place ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Marking", "PetriNet", "Place", "Transition", "marking"]


class Marking(Counter[str]):
    """Tokens per place id; places with no token are absent."""

    def key(self) -> tuple[tuple[str, int], ...]:
        """A hashable, order-independent form (for visited sets in search)."""
        return tuple(sorted((p, n) for p, n in self.items() if n > 0))


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    id: str
    label: str | None = None  # None: a silent (tau) transition

    @property
    def silent(self) -> bool:
        return self.label is None


@dataclass(slots=True)
class PetriNet:
    """A Petri net with an initial and a final marking (an accepting net)."""

    name: str = ""
    places: dict[str, Place] = field(default_factory=dict)
    transitions: dict[str, Transition] = field(default_factory=dict)
    # arc weights keyed by (source id, target id); one end is a place, the other a transition
    arcs: dict[tuple[str, str], int] = field(default_factory=dict)
    initial_marking: Marking = field(default_factory=Marking)
    final_marking: Marking = field(default_factory=Marking)

    def add_place(self, place_id: str, name: str = "") -> Place:
        place = Place(place_id, name)
        self.places[place_id] = place
        return place

    def add_transition(self, transition_id: str, label: str | None = None) -> Transition:
        transition = Transition(transition_id, label)
        self.transitions[transition_id] = transition
        return transition

    def add_arc(self, source: str, target: str, weight: int = 1) -> None:
        """Connect a place and a transition (either direction); weights add up."""
        is_pt = source in self.places and target in self.transitions
        is_tp = source in self.transitions and target in self.places
        if not (is_pt or is_tp):
            raise ValueError(f"an arc must join a place and a transition: {source!r} -> {target!r}")
        self.arcs[(source, target)] = self.arcs.get((source, target), 0) + weight

    def preset(self, node_id: str) -> dict[str, int]:
        """Input nodes of ``node_id`` with arc weights."""
        return {s: w for (s, t), w in self.arcs.items() if t == node_id}

    def postset(self, node_id: str) -> dict[str, int]:
        """Output nodes of ``node_id`` with arc weights."""
        return {t: w for (s, t), w in self.arcs.items() if s == node_id}

    @property
    def labels(self) -> set[str]:
        """The visible activity labels."""
        return {t.label for t in self.transitions.values() if t.label is not None}


def marking(places: Mapping[str, int] | Iterable[str]) -> Marking:
    """A marking from ``{place: tokens}`` or from place ids (one token each)."""
    return Marking(places)
