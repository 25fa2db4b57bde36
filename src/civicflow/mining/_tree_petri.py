"""Process tree -> accepting Petri net (workflow net with one source and one sink place).

The usual block translation: a leaf is one transition between its entry and exit place; a
sequence chains its children through fresh places; an exclusive choice lets every child share
the entry and exit place; parallel branches get their own places behind a silent split and in
front of a silent join; a redo loop runs the do part from a loop place to a loop-exit place and
each redo part back. Silent transitions guard loops and parallel blocks so that a block sharing
its places with siblings cannot take or leave tokens that are not its own.
"""

from __future__ import annotations

from civicflow.mining._petri import PetriNet, marking
from civicflow.mining._tree import Operator, ProcessTree

__all__ = ["tree_to_petri"]


def tree_to_petri(tree: ProcessTree, *, name: str = "discovered") -> PetriNet:
    """An accepting Petri net with the language of ``tree``: one token from source to sink."""
    net = PetriNet(name=name)
    net.add_place("source", "source")
    net.add_place("sink", "sink")
    counter = {"p": 0, "t": 0}

    def place() -> str:
        counter["p"] += 1
        return net.add_place(f"p{counter['p']}").id

    def transition(label: str | None) -> str:
        counter["t"] += 1
        prefix = "t" if label is not None else "tau"
        return net.add_transition(f"{prefix}{counter['t']}", label).id

    def connect(entry: str, label: str | None, exit_: str) -> None:
        t = transition(label)
        net.add_arc(entry, t)
        net.add_arc(t, exit_)

    # iterative: a deep tree must not exhaust the Python stack
    work: list[tuple[ProcessTree, str, str]] = [(tree, "source", "sink")]
    while work:
        node, entry, exit_ = work.pop()
        if node.operator is None:
            connect(entry, node.label, exit_)
        elif node.operator is Operator.SEQUENCE:
            places = [entry, *(place() for _ in node.children[1:]), exit_]
            work.extend((child, places[i], places[i + 1]) for i, child in enumerate(node.children))
        elif node.operator is Operator.XOR:
            work.extend((child, entry, exit_) for child in node.children)
        elif node.operator is Operator.PARALLEL:
            split, join = transition(None), transition(None)
            net.add_arc(entry, split)
            net.add_arc(join, exit_)
            for child in node.children:
                start, end = place(), place()
                net.add_arc(split, start)
                net.add_arc(end, join)
                work.append((child, start, end))
        else:
            do_start, do_end = place(), place()
            connect(entry, None, do_start)
            connect(do_end, None, exit_)
            work.append((node.children[0], do_start, do_end))
            work.extend((child, do_end, do_start) for child in node.children[1:])
    net.initial_marking = marking(["source"])
    net.final_marking = marking(["sink"])
    return net
