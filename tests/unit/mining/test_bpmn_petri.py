"""BPMN -> Petri net: the language of converted models, on hand-written and real BPMN files."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.bpmn import load
from civicflow.mining import (
    ActivityLabel,
    ConformanceError,
    PetriNet,
    align_trace,
    bpmn_to_petri,
    compile_net,
    read_xes,
    variants,
)

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data" / "eventlogs"
SERVICES = sorted((ROOT / "src" / "civicflow" / "services").glob("*/*.bpmn"))


def bpmn(body: str) -> bytes:
    """A process around ``body``: ``<node id="x" .../>`` lines and ``a->b`` flow lines."""
    nodes, flows = [], []
    for raw in body.strip().splitlines():
        line = raw.strip()
        if "->" in line and not line.startswith("<"):
            source, target = (part.strip() for part in line.split("->"))
            flows.append(f'<sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}"/>')
        else:
            nodes.append(line)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        fid = flow.split('id="')[1].split('"')[0]
        source = flow.split('sourceRef="')[1].split('"')[0]
        target = flow.split('targetRef="')[1].split('"')[0]
        outgoing.setdefault(source, []).append(fid)
        incoming.setdefault(target, []).append(fid)
    with_refs = []
    for node in nodes:
        nid = node.split('id="')[1].split('"')[0]
        refs = "".join(f"<incoming>{f}</incoming>" for f in incoming.get(nid, []))
        refs += "".join(f"<outgoing>{f}</outgoing>" for f in outgoing.get(nid, []))
        tag = node[1:].split()[0]
        with_refs.append(node.replace("/>", f">{refs}</{tag}>", 1) if node.endswith("/>") else node)
    return (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
        '<process id="p" isExecutable="true">' + "".join(with_refs) + "".join(flows) + "</process></definitions>"
    ).encode()


def fits(net: PetriNet, trace: str) -> bool:
    return align_trace(tuple(trace), net).deviations == 0


def test_gateways_and_parallel_branches() -> None:
    net = bpmn_to_petri(
        bpmn("""
        <startEvent id="s"/>
        <task id="a" name="a"/>
        <parallelGateway id="fork"/>
        <task id="b" name="b"/>
        <task id="c" name="c"/>
        <parallelGateway id="join"/>
        <exclusiveGateway id="choose"/>
        <task id="d" name="d"/>
        <task id="e" name="e"/>
        <endEvent id="end"/>
        s->a
        a->fork
        fork->b
        fork->c
        b->join
        c->join
        join->choose
        choose->d
        choose->e
        d->end
        e->end
        """)
    )
    assert net.labels == {"a", "b", "c", "d", "e"}
    for trace in ("abcd", "acbd", "abce", "acbe"):
        assert fits(net, trace)
    for trace in ("abd", "abcde", "bacd", "abc", ""):
        assert not fits(net, trace)


def test_exclusive_merge_loop_and_unnamed_tasks_fall_back_to_ids() -> None:
    net = bpmn_to_petri(
        bpmn("""
        <startEvent id="s"/>
        <exclusiveGateway id="merge"/>
        <task id="a"/>
        <exclusiveGateway id="again"/>
        <endEvent id="end"/>
        s->merge
        merge->a
        a->again
        again->merge
        again->end
        """)
    )
    assert net.labels == {"a"}
    assert all(fits(net, "a" * n) for n in (1, 2, 5))
    assert not fits(net, "")


def test_inclusive_gateway_allows_every_non_empty_subset() -> None:
    net = bpmn_to_petri(
        bpmn("""
        <startEvent id="s"/>
        <inclusiveGateway id="split"/>
        <task id="a" name="a"/>
        <task id="b" name="b"/>
        <inclusiveGateway id="join"/>
        <endEvent id="end"/>
        s->split
        split->a
        split->b
        a->join
        b->join
        join->end
        """)
    )
    for trace in ("a", "b", "ab", "ba"):
        assert fits(net, trace)
    assert not fits(net, "")
    assert not fits(net, "aa")


def test_boundary_events_and_subprocesses() -> None:
    net = bpmn_to_petri(
        bpmn("""
        <startEvent id="s"/>
        <userTask id="review" name="review"/>
        <boundaryEvent id="late" name="late" attachedToRef="review"/>
        <boundaryEvent id="remind" name="remind" attachedToRef="review" cancelActivity="false"/>
        <subProcess id="sub"><startEvent id="s2"/><task id="inner" name="inner"/><endEvent id="e2"/>\
<sequenceFlow id="x1" sourceRef="s2" targetRef="inner"/>\
<sequenceFlow id="x2" sourceRef="inner" targetRef="e2"/></subProcess>
        <task id="escalate" name="escalate"/>
        <endEvent id="end"/>
        <endEvent id="reminded"/>
        s->review
        review->sub
        sub->end
        late->escalate
        escalate->end
        remind->reminded
        """)
    )
    assert net.labels == {"review", "late", "remind", "inner", "escalate"}
    for trace in (["review", "inner"], ["late", "escalate"], ["remind", "review", "inner"]):
        assert align_trace(tuple(trace), net).deviations == 0, trace
    assert align_trace(("review", "escalate"), net).deviations > 0


@pytest.mark.parametrize(
    ("path", "labels"),
    [
        (DATA / "pm4py" / "running-example.bpmn", 8),
        (DATA / "pm4py" / "receipt.bpmn", 27),
        (DATA / "bpic2020" / "declaration_documents.bpmn", 6),  # three tasks are named "approve"
    ],
)
def test_real_models_convert_to_nets_whose_final_marking_is_reachable(path: Path, labels: int) -> None:
    net = bpmn_to_petri(path)
    assert len(net.labels) == labels
    assert align_trace((), net).aligned  # some run of the model reaches the final marking


def test_running_example_labels_are_the_log_activities() -> None:
    log = read_xes(DATA / "pm4py" / "running-example.xes")
    net = bpmn_to_petri(DATA / "pm4py" / "running-example.bpmn")
    assert net.labels == set(log.events["concept:name"].unique())
    assert all(fits_variant(net, v) for v in variants(log)["variant"].to_list())


def fits_variant(net: PetriNet, activities: list[str]) -> bool:
    return align_trace(tuple(activities), net).deviations == 0


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.stem)
def test_deployed_reference_services_convert_with_element_ids(path: Path) -> None:
    definitions = load(path)
    net = bpmn_to_petri(definitions, label_by=ActivityLabel.ID)
    process = definitions.process()
    tasks = {e.id for e in process.flow_elements if type(e).__name__.endswith("Task")}
    assert tasks <= net.labels
    compiled = compile_net(net)
    assert compiled.initial != compiled.final
    empty = align_trace((), compiled)
    assert empty.aligned
    # the cheapest run, replayed as a trace, fits
    shortest = tuple(m.label for m in empty.moves if m.label is not None)
    assert align_trace(shortest, compiled).deviations == 0


def test_errors_name_the_element() -> None:
    with pytest.raises(ConformanceError, match="no start event"):
        bpmn_to_petri(bpmn('<task id="a"/>'))
    wide = "\n".join(
        ['<startEvent id="s"/>', '<inclusiveGateway id="g"/>', '<endEvent id="e"/>', "s->g"]
        + [f'<task id="t{i}"/>\ng->t{i}\nt{i}->e' for i in range(9)]
    )
    with pytest.raises(ConformanceError, match="'g'"):
        bpmn_to_petri(bpmn(wide))
    with pytest.raises(ConformanceError, match="line"):
        bpmn_to_petri(b"<definitions")
