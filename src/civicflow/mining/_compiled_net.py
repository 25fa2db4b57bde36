"""A Petri net compiled to integer arrays for fast replay and alignment search.

Places and transitions are numbered in sorted id order (so results do not depend on dict order);
markings are ``bytes`` with one token count per place: hashable, compact, and their hash is cached
by CPython, which matters when a search keeps hundreds of thousands of them in a dict. A place
holding more than 255 tokens is out of bounds for a marking and raises :class:`ConformanceError`
(an unbounded net would otherwise make replay grow without end).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from civicflow.errors import CivicFlowError
from civicflow.mining._petri import Marking, PetriNet

__all__ = ["MAX_TOKENS", "CompiledNet", "ConformanceError", "compile_net"]

MAX_TOKENS = 255
SUCCESSOR_CACHE_LIMIT = 500_000
_MARKED = re.compile(rb"[^\x00]")


class ConformanceError(CivicFlowError):
    """A model cannot be converted, compiled or replayed (names the element at fault)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledNet:
    """Index arrays of a :class:`PetriNet`; transition ``t`` consumes ``pre[t]`` and produces ``post[t]``."""

    places: tuple[str, ...]
    transitions: tuple[str, ...]
    labels: tuple[str | None, ...]
    pre: tuple[tuple[tuple[int, int], ...], ...]  # (place index, weight)
    post: tuple[tuple[tuple[int, int], ...], ...]
    # net token change per place, only for places that change: firing is one pass over this
    delta: tuple[tuple[tuple[int, int], ...], ...]
    by_label: dict[str, tuple[int, ...]]
    silent: tuple[int, ...]
    consumers: tuple[tuple[int, ...], ...]  # per place: transitions with it in their preset
    silent_producers: tuple[tuple[int, ...], ...]  # per place: silent transitions with it in their postset
    always_enabled: tuple[int, ...]  # transitions with an empty preset
    initial: bytes
    final: bytes
    # marking -> ((transition, marking after), ...): replay and search revisit the same markings
    # across variants, so successors are computed once per net; cleared when it grows too large
    _successors: dict[bytes, tuple[tuple[int, bytes], ...]] = field(default_factory=dict, compare=False, repr=False)

    def enabled(self, marking: bytes, transition: int) -> bool:
        return all(marking[p] >= w for p, w in self.pre[transition])

    def enabled_transitions(self, marking: bytes) -> list[int]:
        """Enabled transitions in index order (only those consuming from a marked place are checked)."""
        candidates = set(self.always_enabled)
        consumers = self.consumers
        for found in _MARKED.finditer(marking):  # scans in C: markings are mostly zeros
            candidates.update(consumers[found.start()])
        return [t for t in sorted(candidates) if all(marking[p] >= w for p, w in self.pre[t])]

    def successors(self, marking: bytes) -> tuple[tuple[int, bytes], ...]:
        """``(transition, marking after firing it)`` for every enabled transition, in index order."""
        found = self._successors.get(marking)
        if found is None:
            if len(self._successors) >= SUCCESSOR_CACHE_LIMIT:
                self._successors.clear()
            found = tuple((t, self.fire(marking, t)) for t in self.enabled_transitions(marking))
            self._successors[marking] = found
        return found

    def fire(self, marking: bytes, transition: int) -> bytes:
        """The marking after firing ``transition`` (the caller checked it is enabled)."""
        tokens = bytearray(marking)
        for place, change in self.delta[transition]:
            value = tokens[place] + change
            if value > MAX_TOKENS:
                raise ConformanceError(
                    f"place {self.places[place]!r} exceeds {MAX_TOKENS} tokens: the net is unbounded"
                )
            tokens[place] = value
        return bytes(tokens)

    def marking_of(self, marking: Marking) -> bytes:
        tokens = bytearray(len(self.places))
        index = {p: i for i, p in enumerate(self.places)}
        for place, count in marking.items():
            if place not in index:
                raise ConformanceError(f"marking names unknown place {place!r}")
            if count > MAX_TOKENS:
                raise ConformanceError(f"marking puts {count} tokens on place {place!r} (at most {MAX_TOKENS})")
            tokens[index[place]] = count
        return bytes(tokens)


def compile_net(net: PetriNet) -> CompiledNet:
    """Number places and transitions and turn arcs into per-transition index arrays."""
    places = tuple(sorted(net.places))
    transitions = tuple(sorted(net.transitions))
    if not places or not transitions:
        raise ConformanceError(f"net {net.name!r} has no {'places' if not places else 'transitions'}")
    place_index = {p: i for i, p in enumerate(places)}
    transition_index = {t: i for i, t in enumerate(transitions)}
    pre: list[dict[int, int]] = [{} for _ in transitions]
    post: list[dict[int, int]] = [{} for _ in transitions]
    for (source, target), weight in net.arcs.items():
        if weight <= 0:
            raise ConformanceError(f"arc {source!r} -> {target!r} has weight {weight}")
        if source in place_index and target in transition_index:
            pre[transition_index[target]][place_index[source]] = weight
        elif source in transition_index and target in place_index:
            post[transition_index[source]][place_index[target]] = weight
        else:
            raise ConformanceError(f"arc {source!r} -> {target!r} must join a place and a transition of the net")
    labels = tuple(net.transitions[t].label for t in transitions)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        if label is not None:
            by_label.setdefault(label, []).append(i)
    consumers: list[list[int]] = [[] for _ in places]
    for t, arcs in enumerate(pre):
        for place in arcs:
            consumers[place].append(t)
    delta = []
    for t in range(len(transitions)):
        change = dict.fromkeys(pre[t] | post[t], 0)
        for place, weight in pre[t].items():
            change[place] -= weight
        for place, weight in post[t].items():
            change[place] += weight
        delta.append(tuple(sorted((p, c) for p, c in change.items() if c)))
    compiled = CompiledNet(
        places=places,
        transitions=transitions,
        labels=labels,
        pre=tuple(tuple(sorted(arcs.items())) for arcs in pre),
        post=tuple(tuple(sorted(arcs.items())) for arcs in post),
        delta=tuple(delta),
        by_label={label: tuple(ts) for label, ts in by_label.items()},
        silent=tuple(i for i, label in enumerate(labels) if label is None),
        consumers=tuple(tuple(ts) for ts in consumers),
        silent_producers=tuple(
            tuple(t for t in range(len(transitions)) if labels[t] is None and place in post[t])
            for place in range(len(places))
        ),
        always_enabled=tuple(t for t in range(len(transitions)) if not pre[t]),
        initial=b"",
        final=b"",
    )
    initial = compiled.marking_of(net.initial_marking)
    final = compiled.marking_of(net.final_marking)
    if not any(initial):
        raise ConformanceError(f"net {net.name!r} has an empty initial marking")
    return dataclasses.replace(compiled, initial=initial, final=final)
