"""A plain token game for tests: does an accepting Petri net accept a trace?

Kept independent of the conformance code on purpose: discovery's fitness guarantee is checked
against the net semantics themselves. The search is depth first over (marking, events replayed),
firing the next event's transition before any silent one, and fires only silent transitions that
can lead towards the next event (or, after the last event, towards the final marking): in a safe
net any other silent move can be deferred, and without this restraint the optional steps of
parallel branches multiply the markings. The number of states is bounded so that a wrong net fails
instead of hanging.
"""

from __future__ import annotations

from collections.abc import Sequence

from civicflow.mining._petri import Marking, PetriNet

_LIMIT = 200_000
_END = object()  # the "label" of the final marking


def _fire(marking: Marking, pre: dict[str, int], post: dict[str, int]) -> Marking | None:
    if any(marking.get(p, 0) < w for p, w in pre.items()):
        return None
    out = Marking(marking)
    for p, w in pre.items():
        out[p] -= w
        if out[p] == 0:
            del out[p]
    for p, w in post.items():
        out[p] += w
    return out


class TokenGame:
    def __init__(self, net: PetriNet) -> None:
        self.net = net
        self.pre = {t: net.preset(t) for t in net.transitions}
        self.post = {t: net.postset(t) for t in net.transitions}
        silent = [t for t, tr in net.transitions.items() if tr.label is None]
        self.by_label: dict[object, list[str]] = {}
        for t, tr in net.transitions.items():
            if tr.label is not None:
                self.by_label.setdefault(tr.label, []).append(t)
        # places from which a silent path leads to the preset of a label's transitions
        into: dict[str, list[str]] = {p: [] for p in net.places}
        for t in silent:
            for p in self.post[t]:
                into[p].append(t)
        self.relevant: dict[object, list[str]] = {}
        targets: dict[object, set[str]] = {
            label: {p for t in ts for p in self.pre[t]} for label, ts in self.by_label.items()
        }
        targets[_END] = set(net.final_marking)
        for label, places in targets.items():
            seen, stack = set(places), list(places)
            while stack:
                for t in into[stack.pop()]:
                    for p in self.pre[t]:
                        if p not in seen:
                            seen.add(p)
                            stack.append(p)
            self.relevant[label] = [t for t in silent if seen.intersection(self.post[t])]

    def accepts(self, trace: Sequence[str]) -> bool:
        final = Marking(self.net.final_marking).key()
        stack: list[tuple[Marking, int]] = [(Marking(self.net.initial_marking), 0)]
        visited: set[tuple[tuple[tuple[str, int], ...], int]] = set()
        while stack:
            marking, done = stack.pop()
            key = (marking.key(), done)
            if key in visited:
                continue
            visited.add(key)
            if len(visited) > _LIMIT:
                raise AssertionError("too many states: the net is unbounded or wrong")
            if done == len(trace) and key[0] == final:
                return True
            label: object = trace[done] if done < len(trace) else _END
            for t in self.relevant.get(label, []):
                nxt = _fire(marking, self.pre[t], self.post[t])
                if nxt is not None:
                    stack.append((nxt, done))
            for t in self.by_label.get(label, []):
                nxt = _fire(marking, self.pre[t], self.post[t])
                if nxt is not None:
                    stack.append((nxt, done + 1))
        return False
