"""PNML: the nets pm4py and ProM wrote read back exactly; written nets round-trip; hostile input is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.mining import EventLogError, read_pnml, write_pnml
from civicflow.mining._petri import PetriNet, marking

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"


@pytest.mark.parametrize(
    ("name", "places", "transitions", "arcs", "silent", "initial", "final"),
    [
        ("running-example.pnml", 9, 10, 22, 2, {"n1": 1}, {"n2": 1}),
        ("roadtraffic.pnml", 29, 34, 84, 23, {"source": 1}, {"sink": 1}),
        ("receipt_one_variant.pnml", 6, 5, 10, 0, {"source": 1}, {"sink": 1}),
    ],
)
def test_reads_pm4py_and_prom_nets(
    name: str, places: int, transitions: int, arcs: int, silent: int, initial: dict[str, int], final: dict[str, int]
) -> None:
    net = read_pnml(DATA / name)
    assert (len(net.places), len(net.transitions), len(net.arcs)) == (places, transitions, arcs)
    assert sum(t.silent for t in net.transitions.values()) == silent
    assert dict(net.initial_marking) == initial
    assert dict(net.final_marking) == final
    again = read_pnml(write_pnml(net))
    assert (again.places, again.transitions, again.arcs) == (net.places, net.transitions, net.arcs)
    assert (again.initial_marking, again.final_marking) == (net.initial_marking, net.final_marking)


def test_running_example_labels() -> None:
    net = read_pnml(str(DATA / "running-example.pnml"))
    assert net.labels == {
        "register request",
        "examine casually",
        "examine thoroughly",
        "check ticket",
        "decide",
        "reinitiate request",
        "pay compensation",
        "reject request",
    }


def test_weights_and_names_round_trip_through_text() -> None:
    net = PetriNet(name="2 weights")
    net.add_place("p", "start place")
    net.add_place("q")
    net.add_transition("t", "a & <b>")
    net.add_transition("s")
    net.add_arc("p", "t", 2)
    net.add_arc("t", "q")
    net.add_arc("q", "s")
    net.initial_marking = marking({"p": 2})
    net.final_marking = marking(["q"])
    text = write_pnml(net).decode()
    assert '<net id="net_2_weights"' in text
    assert "<inscription>" in text
    again = read_pnml(text)
    assert again.arcs == {("p", "t"): 2, ("t", "q"): 1, ("q", "s"): 1}
    assert again.transitions["t"].label == "a & <b>"
    assert again.transitions["s"].silent
    assert again.places["p"].name == "start place"
    assert dict(again.initial_marking) == {"p": 2}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<pnml><net id='n'><page id='p'><place id='a'/>", "not well-formed XML"),
        (b"<petri/>", "not <pnml>"),
        (b"<pnml/>", "no <net>"),
        (b"<pnml><net id='n'><page id='p'><place id='a'/><place id='a'/></page></net></pnml>", "duplicate id 'a'"),
        (
            b"<pnml><net id='n'><page id='p'><place id='a'/><arc id='x' source='a' target='b'/></page></net></pnml>",
            "missing node 'b'",
        ),
        (
            (
                b"<pnml><net id='n'><page id='p'><place id='a'/><place id='b'/><arc id='x' source='a' target='b'/>"
                b"</page></net></pnml>"
            ),
            "must join a place and a transition",
        ),
        (
            (
                b"<pnml><net id='n'><page id='p'><place id='a'><initialMarking><text>x</text></initialMarking></place>"
                b"</page></net></pnml>"
            ),
            "not a whole number",
        ),
    ],
)
def test_bad_documents_give_one_line_errors_with_the_line(document: bytes, message: str) -> None:
    with pytest.raises(EventLogError, match=message) as caught:
        read_pnml(document)
    assert "\n" not in str(caught.value)


def test_entities_and_doctypes_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE pnml [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<pnml><net id='n'><page id='p'><place id='a'><name><text>&x;</text></name></place></page></net></pnml>"
    )
    with pytest.raises(EventLogError, match="DOCTYPE"):
        read_pnml(xxe.encode())
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE pnml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<pnml><net id='n'><name><text>&b;</text></name></net></pnml>"
    )
    with pytest.raises(EventLogError, match="DOCTYPE"):
        read_pnml(bomb.encode())


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match=r"missing\.pnml: cannot read the file"):
        read_pnml(tmp_path / "missing.pnml")
