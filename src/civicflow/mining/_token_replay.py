"""Token-based replay: fitness from missing and remaining tokens, precision from escaping edges.

Replay follows Berti and van der Aalst's description as pm4py 2.7 implements it (its default
variant, the reference of the fitness cross-checks): an event fires a transition with its label;
when none is enabled, silent transitions on the shortest silent paths from the marked places to the
lacking input places fire greedily (two levels deep), and are kept even when they did not help;
whatever is still lacking is created and counted as missing. At the end silent paths toward the
final places fire until each holds a token; the final marking is then consumed. Events whose
activity no transition carries are skipped without penalty, as pm4py does. The counts agree with
pm4py's per variant on bpic2012 (docs/mining.md, "Token replay").

    trace fitness = 1/2 (1 - missing/consumed) + 1/2 (1 - remaining/produced)

and the log fitness applies the same formula to the sums over all cases. Each variant is replayed
once and weighted by its number of cases.

Precision is ETConformance (Munoz-Gama and Carmona) on prefixes: for every prefix that is followed
by an event in the log and replays without missing tokens, the activities the model allows next
(visible transitions enabled directly or after silent steps) that the log never shows after that
prefix are escaping edges; precision = 1 - sum(escaping) / sum(allowed), both weighted by how often
the prefix occurs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, LogLike, events_of
from civicflow.mining._compiled_net import CompiledNet, compile_net
from civicflow.mining._petri import PetriNet
from civicflow.mining._silent_steps import SilentSteps

__all__ = ["TokenReplayResult", "VariantReplay", "log_variants", "token_replay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantReplay:
    """Replay of one variant (``count`` cases with these activities)."""

    activities: tuple[str, ...]
    count: int
    cases: tuple[str, ...]
    missing: int
    consumed: int
    remaining: int
    produced: int

    @property
    def fitting(self) -> bool:
        return self.missing == 0 and self.remaining == 0

    @property
    def fitness(self) -> float:
        return _fitness(self.missing, self.consumed, self.remaining, self.produced)


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenReplayResult:
    """Log-level figures (``fitness``, ``precision``) and one :class:`VariantReplay` per variant."""

    fitness: float
    precision: float
    average_trace_fitness: float
    fitting_traces_share: float  # 0-1, pm4py's perc_fit_traces / 100
    variants: tuple[VariantReplay, ...] = field(default=())


def _fitness(missing: int, consumed: int, remaining: int, produced: int) -> float:
    missing_part = 1.0 - missing / consumed if consumed else 1.0
    remaining_part = 1.0 - remaining / produced if produced else 1.0
    return 0.5 * missing_part + 0.5 * remaining_part


def log_variants(log: LogLike) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """``(activities, case ids)`` per variant, most frequent first (ties in first-seen order)."""
    grouped = (
        events_of(log)
        .group_by(CASE, maintain_order=True)
        .agg(pl.col(ACTIVITY).alias("variant"))
        .group_by("variant", maintain_order=True)
        .agg(pl.col(CASE))
    )
    rows = [(tuple(variant), tuple(cases)) for variant, cases in grouped.iter_rows()]
    rows.sort(key=lambda row: -len(row[1]))
    return rows


class _Replayer:
    """Replays activity sequences on one compiled net; silent closures are cached per marking."""

    def __init__(self, net: CompiledNet) -> None:
        self.net = net
        self.silent = SilentSteps(net)
        self._paths = _place_paths(net)
        self._steps: dict[tuple[bytes, str], tuple[bytes, int, int, int]] = {}
        self._ends: dict[bytes, tuple[int, int, int, int]] = {}
        self._final_places = tuple(p for p, f in enumerate(net.final) if f)

    def _fire_silent(self, marking: bytes, path: list[int]) -> tuple[bytes, int, int]:
        """Fire silent transitions: (marking, tokens consumed, tokens produced)."""
        consumed = produced = 0
        for t in path:
            consumed += sum(w for _, w in self.net.pre[t])
            produced += sum(w for _, w in self.net.post[t])
            marking = self.net.fire(marking, t)
        return marking, consumed, produced

    def step(self, marking: bytes, activity: str) -> tuple[bytes, int, int, int]:
        """One event, fewest silent firings first (for precision): (marking, missing, consumed, produced)."""
        net = self.net
        candidates = net.by_label.get(activity)
        if candidates is None:
            return marking, 0, 0, 0
        consumed = produced = missing = 0
        enabled = next((t for t in candidates if net.enabled(marking, t)), None)
        if enabled is None:
            path = self.silent.enabling(marking, candidates)
            if path is not None:
                marking, consumed, produced = self._fire_silent(marking, path)
                enabled = next(t for t in candidates if net.enabled(marking, t))
            else:
                enabled = min(candidates, key=lambda t: (self._deficit(marking, t), t))
                # silent steps that fill some of the inputs still save missing tokens
                for place, weight in net.pre[enabled]:
                    if marking[place] < weight and (path := self.silent.filling(marking, net.pre[enabled], place)):
                        marking, c, p = self._fire_silent(marking, path)
                        consumed, produced = consumed + c, produced + p
                marking, missing = _add_missing(marking, net.pre[enabled])
        consumed += sum(w for _, w in net.pre[enabled])
        produced += sum(w for _, w in net.post[enabled])
        return net.fire(marking, enabled), missing, consumed, produced

    def _deficit(self, marking: bytes, transition: int) -> int:
        return sum(max(0, w - marking[p]) for p, w in self.net.pre[transition])

    def replay(self, activities: Sequence[str]) -> tuple[int, int, int, int]:
        """Fitness counts with pm4py's silent-step heuristic (:meth:`greedy_step`, :meth:`greedy_finish`)."""
        marking = self.net.initial
        missing, consumed, produced = 0, 0, sum(marking)
        for activity in activities:
            key = (marking, activity)
            found = self._steps.get(key)
            if found is None:
                found = self._steps[key] = self.greedy_step(marking, activity)
            marking, m, c, p = found
            missing, consumed, produced = missing + m, consumed + c, produced + p
        end = self._ends.get(marking)
        if end is None:
            end = self._ends[marking] = self.greedy_finish(marking)
        m, c, remaining, p = end
        return missing + m, consumed + c, remaining, produced + p

    # pm4py's token replay (the reference of issue #9) does not search markings: it fires silent
    # transitions along the shortest silent paths from marked places to the places that lack tokens,
    # greedily and at most two levels deep, and keeps what it fired even when that did not help.
    # Fitness follows that behaviour (docs/mining.md, "Token replay"); precision keeps the search.

    def _groups(self, marking: bytes, targets: Sequence[int]) -> list[tuple[int, ...]]:
        """Silent paths from each marked place to each target, in place order, shortest first (stable)."""
        groups: list[tuple[int, ...]] = []
        for source, tokens in enumerate(marking):
            if tokens:
                paths = self._paths[source]
                groups.extend(paths[target] for target in targets if target in paths)
        groups.sort(key=len)
        return groups

    def _fire_counted(self, marking: bytes, t: int, counts: list[int]) -> bytes:
        counts[0] += sum(w for _, w in self.net.pre[t])
        counts[1] += sum(w for _, w in self.net.post[t])
        return self.net.fire(marking, t)

    def _hidden(self, t: int, marking: bytes, depth: int, visited: set[int], counts: list[int]) -> bytes:
        """Silent firings toward enabling ``t`` (pm4py's ``apply_hidden_trans``): the marking after them."""
        net = self.net
        if depth >= 2 or t in visited:
            return marking
        visited.add(t)
        lacking = sorted(p for p, w in net.pre[t] if marking[p] < w)
        groups = self._groups(marking, lacking)
        if not groups:
            return marking
        # round robin over the paths; stops when ``t`` is enabled or a whole path fired nothing
        index = [0] * len(groups)
        z = 0
        while not net.enabled(marking, t):
            g = z % len(groups)
            changed = False
            while index[g] < len(groups[g]):
                t3 = groups[g][index[g]]
                if t3 != t and t3 not in visited and net.enabled(marking, t3):
                    marking = self._fire_counted(marking, t3, counts)
                    visited.add(t3)
                    changed = True
                index[g] += 1
                if net.enabled(marking, t):
                    break
            if not changed:
                break
            z += 1
        if not net.enabled(marking, t):
            for group in self._groups(marking, lacking):
                for t4 in group:
                    if t4 == t or t4 in visited:
                        continue
                    if not net.enabled(marking, t4):
                        marking = self._hidden(t4, marking, depth + 1, visited, counts)
                    if net.enabled(marking, t4):
                        marking = self._fire_counted(marking, t4, counts)
                        visited.add(t4)
        return marking

    def greedy_step(self, marking: bytes, activity: str) -> tuple[bytes, int, int, int]:
        """Replay one event as pm4py does: (marking, missing, consumed, produced)."""
        net = self.net
        candidates = net.by_label.get(activity)
        if candidates is None:
            return marking, 0, 0, 0
        t = next((c for c in candidates if net.enabled(marking, c)), candidates[0])
        counts = [0, 0]
        missing = 0
        if not net.enabled(marking, t):
            marking = self._hidden(t, marking, 0, set(), counts)
        if not net.enabled(marking, t):
            marking, missing = _add_missing(marking, net.pre[t])
        marking = self._fire_counted(marking, t, counts)
        return marking, missing, counts[0], counts[1]

    def greedy_finish(self, marking: bytes) -> tuple[int, int, int, int]:
        """pm4py's end of a trace: silent paths toward the final places, then consume the final marking."""
        net = self.net
        finals = self._final_places
        counts = [0, 0]

        def reached(m: bytes) -> bool:  # pm4py stops once every final place holds a token
            return all(m[p] for p in finals)

        for _ in range(5):
            if reached(marking):
                break
            for group in self._groups(marking, finals):
                for t in group:
                    if net.enabled(marking, t):
                        marking = self._fire_counted(marking, t, counts)
                if reached(marking):
                    break
        if not reached(marking) and len(finals) == 1:
            sink = finals[0]
            connections = sorted(
                (self._paths[p][sink] for p, tokens in enumerate(marking) if tokens and sink in self._paths[p]), key=len
            )
            for _ in range(5):
                for path in connections:
                    for t in path:
                        if not net.enabled(marking, t):
                            break
                        marking = self._fire_counted(marking, t, counts)
        missing = sum(max(0, f - m) for m, f in zip(marking, net.final, strict=True))
        remaining = sum(max(0, m - f) for m, f in zip(marking, net.final, strict=True))
        return missing, counts[0] + sum(net.final), remaining, counts[1]


def _add_missing(marking: bytes, needs: Sequence[tuple[int, int]]) -> tuple[bytes, int]:
    """Create the tokens ``needs`` lacks: (marking, tokens created)."""
    tokens = bytearray(marking)
    missing = 0
    for place, weight in needs:
        if tokens[place] < weight:
            missing += weight - tokens[place]
            tokens[place] = weight
    return bytes(tokens), missing


def _place_paths(net: CompiledNet) -> tuple[dict[int, tuple[int, ...]], ...]:
    """Per place, the fewest silent transitions leading to every place they reach (itself by a cycle)."""
    labels = net.labels
    result = []
    for start in range(len(net.places)):
        paths: dict[int, tuple[int, ...]] = {}
        frontier: list[tuple[int, tuple[int, ...]]] = [(start, ())]
        while frontier:
            following = []
            for place, path in frontier:
                for t in net.consumers[place]:
                    if labels[t] is not None:
                        continue
                    for target, _ in net.post[t]:
                        if target not in paths:
                            paths[target] = (*path, t)
                            following.append((target, paths[target]))
            frontier = following
        result.append(paths)
    return tuple(result)


def _precision(replayer: _Replayer, variants: Sequence[tuple[tuple[str, ...], int]]) -> float:
    # prefix -> (occurrences followed by an event, activities seen next); the empty prefix included
    following: dict[tuple[str, ...], tuple[int, set[str]]] = {}
    for activities, count in variants:
        for i, activity in enumerate(activities):
            seen, nexts = following.get(activities[:i], (0, set()))
            nexts.add(activity)
            following[activities[:i]] = (seen + count, nexts)
    # replay prefixes in length order so each extends an already replayed, fitting parent
    markings: dict[tuple[str, ...], bytes] = {(): replayer.net.initial}
    escaping = allowed_total = 0
    for prefix in sorted(following, key=len):
        if prefix:
            parent = markings.get(prefix[:-1])
            if parent is None:
                continue
            marking, missing, _, _ = replayer.step(parent, prefix[-1])
            if missing:
                continue
            markings[prefix] = marking
        count, nexts = following[prefix]
        allowed = replayer.silent.allowed(markings[prefix])
        allowed_total += count * len(allowed)
        escaping += count * len(allowed - nexts)
    return 1.0 - escaping / allowed_total if allowed_total else 1.0


def token_replay(log: LogLike, net: PetriNet | CompiledNet, *, precision: bool = True) -> TokenReplayResult:
    """Replay every variant of ``log`` on ``net``; ``precision=False`` skips the prefix replay."""
    compiled = net if isinstance(net, CompiledNet) else compile_net(net)
    replayer = _Replayer(compiled)
    results = []
    for activities, cases in log_variants(log):
        missing, consumed, remaining, produced = replayer.replay(activities)
        results.append(
            VariantReplay(
                activities=activities,
                count=len(cases),
                cases=cases,
                missing=missing,
                consumed=consumed,
                remaining=remaining,
                produced=produced,
            )
        )
    total = sum(v.count for v in results)
    fitness = _fitness(
        sum(v.missing * v.count for v in results),
        sum(v.consumed * v.count for v in results),
        sum(v.remaining * v.count for v in results),
        sum(v.produced * v.count for v in results),
    )
    return TokenReplayResult(
        fitness=fitness if total else 1.0,
        precision=_precision(replayer, [(v.activities, v.count) for v in results]) if precision else float("nan"),
        average_trace_fitness=sum(v.fitness * v.count for v in results) / total if total else 1.0,
        fitting_traces_share=sum(v.count for v in results if v.fitting) / total if total else 1.0,
        variants=tuple(results),
    )
