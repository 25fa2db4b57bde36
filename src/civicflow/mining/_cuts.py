"""Cuts of a directly-follows graph for the inductive miner (Leemans, Fahland, van der Aalst 2013).

Activities are small integers and reachability is kept as Python int bitmasks, so the checks stay
cheap for the few hundred activities real logs have. Each cut function returns the partition of the
alphabet (a list of activity sets, in the order the operator needs) or None when there is no cut.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Graph", "loop_cut", "parallel_cut", "sequence_cut", "xor_cut"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    """A directly-follows graph over activity numbers, with its start and end activities."""

    alphabet: frozenset[int]
    edges: frozenset[tuple[int, int]]
    starts: frozenset[int]
    ends: frozenset[int]

    def successors(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {a: set() for a in self.alphabet}
        for a, b in self.edges:
            out[a].add(b)
        return out

    def predecessors(self) -> dict[int, set[int]]:
        into: dict[int, set[int]] = {a: set() for a in self.alphabet}
        for a, b in self.edges:
            into[b].add(a)
        return into


class _Partition:
    """Union-find over activity numbers."""

    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[set[int]]:
        out: dict[int, set[int]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), set()).add(item)
        return sorted(out.values(), key=min)


def _components(nodes: list[int], linked: dict[int, int]) -> list[set[int]]:
    """Connected components where ``linked[a]`` is the bitmask of a's neighbours (symmetric)."""
    unseen = _mask(nodes)
    groups: list[set[int]] = []
    for node in nodes:
        if not unseen >> node & 1:
            continue
        component = frontier = 1 << node
        while frontier:
            low = frontier & -frontier
            frontier ^= low
            new = linked[low.bit_length() - 1] & unseen & ~component
            component |= new
            frontier |= new
        unseen &= ~component
        groups.append({i for i in nodes if component >> i & 1})
    return groups


def xor_cut(graph: Graph) -> list[set[int]] | None:
    """The connected components of the graph taken as undirected, when there are several."""
    partition = _Partition(graph.alphabet)
    for a, b in graph.edges:
        partition.union(a, b)
    groups = partition.groups()
    return groups if len(groups) > 1 else None


def _reachability(graph: Graph) -> dict[int, int]:
    """For each activity, the bitmask of activities reachable by one or more edges (Warshall)."""
    reach = dict.fromkeys(graph.alphabet, 0)
    for a, b in graph.edges:
        reach[a] |= 1 << b
    nodes = sorted(graph.alphabet)
    for k in nodes:
        bit, via = 1 << k, reach[k]
        for i in nodes:
            if reach[i] & bit:
                reach[i] |= via
    return reach


def sequence_cut(graph: Graph) -> list[set[int]] | None:
    """Groups ordered so that every activity reaches every activity of later groups, never back.

    Activities that reach each other (one strongly connected component) or that are mutually
    unreachable must share a group; groups that would still reach each other are merged until the
    order between groups is strict.
    """
    reach = _reachability(graph)
    order = sorted(graph.alphabet)
    reached_by = dict.fromkeys(order, 0)
    for a in order:
        for b in order:
            if reach[a] >> b & 1:
                reached_by[b] |= 1 << a
    everything = _mask(order)
    # a and b share a group when b is in both or neither of "a reaches" and "reaches a"
    same = {a: everything & ~(reach[a] ^ reached_by[a]) & ~(1 << a) for a in order}
    partition = _Partition(order)
    for group in _components(order, same):
        first = min(group)
        for other in group:
            partition.union(first, other)
    groups = partition.groups()
    while len(groups) > 1:
        masks = [_mask(g) for g in groups]
        reaches = [_mask_reach(g, reach) for g in groups]
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if reaches[i] & masks[j] and reaches[j] & masks[i]:
                    partition.union(min(groups[i]), min(groups[j]))
                    merged = True
        if not merged:
            break
        groups = partition.groups()
    if len(groups) < 2:
        return None
    masks = [_mask(g) for g in groups]
    reaches = [_mask_reach(g, reach) for g in groups]
    later = [sum(1 for j in range(len(groups)) if j != i and reaches[i] & masks[j]) for i in range(len(groups))]
    return [g for _, g in sorted(zip(later, groups, strict=True), key=lambda pair: -pair[0])]


def _mask(group: Iterable[int]) -> int:
    mask = 0
    for item in group:
        mask |= 1 << item
    return mask


def _mask_reach(group: Iterable[int], reach: dict[int, int]) -> int:
    mask = 0
    for item in group:
        mask |= reach[item]
    return mask


def parallel_cut(graph: Graph) -> list[set[int]] | None:
    """Groups with edges both ways between every pair of activities in different groups.

    Each group must hold a start and an end activity; groups lacking one are merged.
    """
    order = sorted(graph.alphabet)
    successors, predecessors = dict.fromkeys(order, 0), dict.fromkeys(order, 0)
    for a, b in graph.edges:
        successors[a] |= 1 << b
        predecessors[b] |= 1 << a
    everything = _mask(order)
    # a and b share a group unless there are edges both ways between them
    together = {a: everything & ~(successors[a] & predecessors[a]) & ~(1 << a) for a in order}
    groups = _components(order, together)
    complete = [g for g in groups if g & graph.starts and g & graph.ends]
    lacking = [g for g in groups if not (g & graph.starts and g & graph.ends)]
    if lacking:
        extra = set().union(*lacking)
        if extra & graph.starts and extra & graph.ends:
            complete.append(extra)
        elif complete:
            complete[0] = complete[0] | extra
        else:
            return None
    if len(complete) < 2:
        return None
    return sorted(complete, key=min)


def loop_cut(graph: Graph) -> list[set[int]] | None:
    """The do part (all start and end activities) followed by one or more redo parts.

    A redo part may only be entered from every end activity and may only lead to every start
    activity; a candidate that breaks this joins the do part.
    """
    body = set(graph.starts | graph.ends)
    rest = graph.alphabet - body
    if not rest or not body:
        return None
    partition = _Partition(rest)
    for a, b in graph.edges:
        if a in rest and b in rest:
            partition.union(a, b)
    candidates = partition.groups()
    successors, predecessors = graph.successors(), graph.predecessors()
    changed = True
    while changed:
        changed = False
        for group in list(candidates):
            if _joins_body(group, body, graph, successors, predecessors):
                body |= group
                candidates.remove(group)
                changed = True
    if not candidates:
        return None
    return [body, *candidates]


def _joins_body(
    group: set[int], body: set[int], graph: Graph, successors: dict[int, set[int]], predecessors: dict[int, set[int]]
) -> bool:
    entered = left = False
    for activity in group:
        entered_from = predecessors[activity] & body
        if entered_from - graph.ends:
            return True
        if entered_from and entered_from != graph.ends:
            return True
        leads_to = successors[activity] & body
        if leads_to - graph.starts:
            return True
        if leads_to and leads_to != graph.starts:
            return True
        entered, left = entered or bool(entered_from), left or bool(leads_to)
    # a part never entered from the do part, or never leading back to it, is no redo part
    return not (entered and left)
