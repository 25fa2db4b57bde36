"""Token-based replay: fitness from missing and remaining tokens, precision from escaping edges.

Replay follows Berti and van der Aalst's description (pm4py's default variant): an event fires a
transition with its label; when none is enabled, the fewest silent transitions that enable one
fire first; failing that, the missing tokens are created and counted. At the end silent
transitions may lead to the final marking, which is then consumed. Events whose activity no
transition carries are skipped without penalty, as pm4py does.

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
        self._final: dict[bytes, list[int] | None] = {}

    def _fire_silent(self, marking: bytes, path: list[int]) -> tuple[bytes, int, int]:
        """Fire silent transitions: (marking, tokens consumed, tokens produced)."""
        consumed = produced = 0
        for t in path:
            consumed += sum(w for _, w in self.net.pre[t])
            produced += sum(w for _, w in self.net.post[t])
            marking = self.net.fire(marking, t)
        return marking, consumed, produced

    def step(self, marking: bytes, activity: str) -> tuple[bytes, int, int, int]:
        """Replay one event: (marking, missing, consumed, produced)."""
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
                tokens = bytearray(marking)
                for place, weight in net.pre[enabled]:
                    if tokens[place] < weight:
                        missing += weight - tokens[place]
                        tokens[place] = weight
                marking = bytes(tokens)
        consumed += sum(w for _, w in net.pre[enabled])
        produced += sum(w for _, w in net.post[enabled])
        return net.fire(marking, enabled), missing, consumed, produced

    def _deficit(self, marking: bytes, transition: int) -> int:
        return sum(max(0, w - marking[p]) for p, w in self.net.pre[transition])

    def finish(self, marking: bytes) -> tuple[int, int, int, int]:
        """Silent steps to the final marking if possible, then consume it: (missing, consumed, remaining, produced)."""
        net = self.net
        consumed = produced = 0
        if marking != net.final:
            if marking not in self._final:
                self._final[marking] = self.silent.to_final(marking)
            path = self._final[marking]
            if path is not None:
                marking, consumed, produced = self._fire_silent(marking, path)
            else:
                # as for a transition: silent steps that fill some final places save missing tokens
                needs = tuple((p, f) for p, f in enumerate(net.final) if f)
                for place, tokens in needs:
                    if marking[place] < tokens and (path := self.silent.filling(marking, needs, place)):
                        marking, c, p = self._fire_silent(marking, path)
                        consumed, produced = consumed + c, produced + p
        missing = sum(max(0, f - m) for m, f in zip(marking, net.final, strict=True))
        consumed += sum(net.final)
        remaining = sum(max(0, m - f) for m, f in zip(marking, net.final, strict=True))
        return missing, consumed, remaining, produced

    def replay(self, activities: Sequence[str]) -> tuple[int, int, int, int]:
        marking = self.net.initial
        missing, consumed, produced = 0, 0, sum(marking)
        for activity in activities:
            marking, m, c, p = self.step(marking, activity)
            missing, consumed, produced = missing + m, consumed + c, produced + p
        m, c, remaining, p = self.finish(marking)
        return missing + m, consumed + c, remaining, produced + p


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
