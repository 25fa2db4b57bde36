"""Silent steps: which silent transitions to fire before a visible one, or to finish a case.

A silent transition helps a visible transition ``t`` only if a path of silent transitions leads
from it to ``t``'s inputs (its *relevant* silent transitions): firing others never adds a token
``t`` needs, and leaving them out never disables anything. So the fewest silent firings that
enable ``t`` are found by a breadth-first search over the relevant ones only, which stays small
even in nets whose full silent closure has tens of thousands of markings.

For alignments more is needed: every marking a visible move can lead to at least cost. In a safe
net a silent transition that no later move depends on can always be postponed (it neither needs
nor takes the tokens of the moves it is moved past), so the relevant ones are again enough;
otherwise the whole silent closure is searched. Results are cached per net, because variants of a
log keep returning to the same markings.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection

from civicflow.mining._compiled_net import CompiledNet, ConformanceError

__all__ = ["CLOSURE_LIMIT", "SilentSteps", "VisibleStep"]

# Markings one silent search may visit: hostile nets (long silent chains with concurrency) stop here.
CLOSURE_LIMIT = 20_000
# Token replay's searches are a heuristic (as pm4py's are): they give up much sooner, because a
# search that finds nothing visits every marking up to its limit, for every event it is tried for.
REPLAY_LIMIT = 2_000
PATH_CACHE_LIMIT = 200_000

# (transition, marking after it, silent firings before it, marking it fired from)
VisibleStep = tuple[int, bytes, int, bytes]


class SilentSteps:
    """Cached silent-transition searches on one compiled net."""

    def __init__(self, net: CompiledNet, *, safe: bool = False, alive: Callable[[bytes], bool] | None = None) -> None:
        self.net = net
        self.safe = safe
        # markings from which the final marking is known to be unreachable are not entered
        self._alive = alive or (lambda _: True)
        self._relevant = _silent_predecessors(net)
        self._toward: dict[tuple[bytes, int], tuple[VisibleStep, ...]] = {}
        self._enabling: dict[tuple[bytes, tuple[int, ...]], list[int] | None] = {}
        self._allowed: dict[bytes, frozenset[str]] = {}
        self._filling: dict[tuple[bytes, tuple[tuple[int, int], ...], int], list[int] | None] = {}
        self._to_place: dict[int, frozenset[int]] = {}
        # alignments spell out the same silent stretches for many variants
        self._paths: dict[tuple[bytes, bytes, int], list[int]] = {}

    def _search(
        self,
        start: bytes,
        allowed: Collection[int] | None,
        stop: Callable[[bytes], bool],
        *,
        strict: bool,
        limit: int = CLOSURE_LIMIT,
    ) -> tuple[dict[bytes, tuple[bytes, int] | None], bytes | None]:
        """Breadth-first over silent transitions (only ``allowed`` ones unless None) until ``stop``.

        Returns the parent links and the first marking satisfying ``stop`` (or None). Over
        ``limit`` markings it raises when ``strict``, else gives up.
        """
        net = self.net
        labels = net.labels
        parents: dict[bytes, tuple[bytes, int] | None] = {start: None}
        if stop(start):
            return parents, start
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for t, after in net.successors(current):
                if labels[t] is not None or after in parents or (allowed is not None and t not in allowed):
                    continue
                if not self._alive(after):
                    continue
                parents[after] = (current, t)
                if stop(after):
                    return parents, after
                queue.append(after)
            if len(parents) > limit:
                if strict:
                    raise ConformanceError(f"more than {CLOSURE_LIMIT} markings are reachable by silent transitions")
                break
        return parents, None

    @staticmethod
    def _path(parents: dict[bytes, tuple[bytes, int] | None], target: bytes) -> list[int]:
        steps: list[int] = []
        step = parents[target]
        while step is not None:
            steps.append(step[1])
            step = parents[step[0]]
        return steps[::-1]

    def enabling(self, marking: bytes, candidates: tuple[int, ...]) -> list[int] | None:
        """The fewest silent transitions after which one of ``candidates`` is enabled (None: no way found)."""
        key = (marking, candidates)
        if key not in self._enabling:
            relevant = frozenset().union(*(self._relevant[t] for t in candidates))
            net = self.net
            parents, found = self._search(
                marking,
                relevant,
                lambda m: any(net.enabled(m, t) for t in candidates),
                strict=False,
                limit=REPLAY_LIMIT,
            )
            self._enabling[key] = None if found is None else self._path(parents, found)
        return self._enabling[key]

    def filling(self, marking: bytes, needs: tuple[tuple[int, int], ...], place: int) -> list[int] | None:
        """The fewest silent transitions that put enough tokens on ``place``, one of ``needs``.

        ``needs`` are (place, tokens) requirements, a transition's inputs or the final marking;
        those already met must stay met. Token
        replay uses this when the requirements cannot all be met: fewer tokens are then missing.
        """
        key = (marking, needs, place)
        if key not in self._filling:
            need = next(w for p, w in needs if p == place)
            keep = [(p, w) for p, w in needs if marking[p] >= w]
            relevant = self._to_place.get(place)
            if relevant is None:  # only silent transitions leading to this one place
                relevant = self._to_place[place] = _silent_predecessors_of(self.net, [place])
            parents, found = self._search(
                marking,
                relevant,
                lambda m: m[place] >= need and all(m[p] >= w for p, w in keep),
                strict=False,
                limit=REPLAY_LIMIT,
            )
            self._filling[key] = None if found is None else self._path(parents, found)
        return self._filling[key]

    def to_final(self, marking: bytes) -> list[int] | None:
        """The fewest silent transitions from ``marking`` to the final marking (None: none found)."""
        final = self.net.final
        parents, found = self._search(marking, None, lambda m: m == final, strict=False, limit=REPLAY_LIMIT)
        return None if found is None else self._path(parents, found)

    def path(self, start: bytes, target: bytes, toward: int) -> list[int]:
        """The fewest silent transitions from ``start`` to ``target`` on the way to firing ``toward``."""
        key = (start, target, toward)
        cached = self._paths.get(key)
        if cached is not None:
            return cached
        allowed = self._relevant[toward] if self.safe else None
        parents, found = self._search(start, allowed, lambda m: m == target, strict=True)
        if found is None:
            raise ConformanceError("no silent path between two markings of an alignment")  # a defect, not input
        if len(self._paths) >= PATH_CACHE_LIMIT:
            self._paths.clear()
        path = self._paths[key] = self._path(parents, found)
        return path

    def steps_toward(self, marking: bytes, transition: int) -> tuple[VisibleStep, ...]:
        """Firings of the visible ``transition`` after the fewest silent steps, one per marking reached.

        Raises :class:`ConformanceError` when the search exceeds ``CLOSURE_LIMIT`` markings.
        """
        key = (marking, transition)
        found = self._toward.get(key)
        if found is not None:
            return found
        net = self.net
        labels = net.labels
        allowed = self._relevant[transition] if self.safe else None
        steps: dict[bytes, VisibleStep] = {}
        depth = {marking: 0}
        queue = deque([marking])
        while queue:
            current = queue.popleft()
            if net.enabled(current, transition):
                after = net.fire(current, transition)
                if after not in steps:  # breadth-first: the first firing reaching ``after`` is the cheapest
                    steps[after] = (transition, after, depth[current], current)
            for t, following in net.successors(current):
                if labels[t] is not None or following in depth or (allowed is not None and t not in allowed):
                    continue
                if self._alive(following):
                    depth[following] = depth[current] + 1
                    queue.append(following)
            if len(depth) > CLOSURE_LIMIT:
                raise ConformanceError(f"more than {CLOSURE_LIMIT} markings are reachable by silent transitions")
        found = self._toward[key] = tuple(steps.values())
        return found

    def allowed(self, marking: bytes) -> frozenset[str]:
        """Activities that can happen next: visible transitions enabled now or after silent steps."""
        found = self._allowed.get(marking)
        if found is None:
            net = self.net
            found = frozenset(
                label for label, candidates in net.by_label.items() if self.enabling(marking, candidates) is not None
            )
            self._allowed[marking] = found
        return found


def _silent_predecessors(net: CompiledNet) -> tuple[frozenset[int], ...]:
    """Per transition, the silent transitions from which a path of silent transitions reaches its inputs."""
    return tuple(_silent_predecessors_of(net, [p for p, _ in net.pre[t]]) for t in range(len(net.transitions)))


def _silent_predecessors_of(net: CompiledNet, places: list[int]) -> frozenset[int]:
    """The silent transitions from which a path of silent transitions reaches one of ``places``."""
    found: set[int] = set()
    stack = list(places)
    seen = set(stack)
    while stack:
        for t in net.silent_producers[stack.pop()]:
            if t not in found:
                found.add(t)
                for place, _ in net.pre[t]:
                    if place not in seen:
                        seen.add(place)
                        stack.append(place)
    return frozenset(found)
