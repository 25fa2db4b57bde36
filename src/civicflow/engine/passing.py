"""Pass-through elements: activated and completed in one step, written as one ``ElementPassed``.

Most elements of a straight-through model never wait: a task without work, a FEEL script task,
a diverging or merging gateway, a none end event. Giving each an element instance, an
``ElementActivated``, a trip through the ready queue and an ``ElementCompleted`` is most of what
such a run costs. So when a token reaches one of them (``Node.passes``, decided once by the
compiler) and the element would be the very next thing the queue completes anyway, it is run to
completion on the spot: the script or the gateway's conditions are evaluated against the
enclosing scope, one ``ElementPassed`` (key, element, scope, flow) is written, then the script's
``VariablesSet``, then its outgoing flows are taken. The history keeps everything the two events
said; the state never holds the element.

"The very next thing" means: the ready queue is empty, the flow is the last one its source
takes, and its source completed as the last thing of a queue step (``Processor.leaving``: a take
from anywhere else may be followed by more of its caller's work), or it is the new instance's
only none start event (``Processor.starting``). Then the queue would have completed this element
next, with nothing in between, so elements complete in exactly the order they did before and
nothing that inspects the state in between can tell the difference (the 172 conformance
scenarios and the 278 corpus processes give the same completion order, waits and status after
every step as before passing existed). A fork's earlier branches, and anything that waits, joins
or raises an incident, take the ordinary path (``Processor.activate`` and the queue). A chain is
followed in a loop, not by recursion, and charged to the step budget element by element; forks
nest at most :data:`MAX_NESTING` deep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicflow.engine import events as ev
from civicflow.engine.apply import APPLIERS
from civicflow.engine.behaviours.gateways import arrive
from civicflow.engine.errors import ExpressionError
from civicflow.engine.fast_events import element_activated, element_passed, flow_taken, variables_set
from civicflow.engine.graph import Flow, Node, NodeKind, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor

__all__ = ["MAX_NESTING", "pass_start", "passes_through", "take_flows"]

MAX_NESTING = 16  # forks inside a chain handled depth first before falling back to the queue

_ACTIVITIES = frozenset({NodeKind.TASK, NodeKind.MANUAL_TASK, NodeKind.SCRIPT_TASK})
_EVENTS = frozenset({NodeKind.START, NodeKind.END, NodeKind.THROW})
_SPLITS = frozenset({NodeKind.EXCLUSIVE, NodeKind.INCLUSIVE, NodeKind.PARALLEL})
_CHOOSING = frozenset({NodeKind.EXCLUSIVE, NodeKind.INCLUSIVE})
# Enum members bound once: reading ``NodeKind.SCRIPT_TASK`` goes through the class each time.
_SCRIPT_TASK = NodeKind.SCRIPT_TASK
_EXCLUSIVE = NodeKind.EXCLUSIVE


def passes_through(node: Node, nodes: dict[str, Node]) -> bool:
    """Whether ``node`` completes as soon as it is activated, whatever the state (compile time).

    Only ``simple`` nodes qualify (no mappings, boundaries, loops or compensation handler). An
    activity or event needs unconditional outgoing flows (conditions after completion may raise
    an incident, which needs the instance); gateways choose on activation, so theirs may have
    conditions, but a converging parallel or inclusive gateway counts tokens and never passes.
    """
    if not node.simple or node.for_compensation:
        return False
    container = nodes.get(node.container or "")
    if container is not None and container.kind is NodeKind.AD_HOC_SUB_PROCESS:
        return False  # an ad-hoc subprocess re-checks its completion after every child
    kind = node.kind
    if kind in _SPLITS:
        # A parallel join passes too, but only once a token waits on every incoming flow (its
        # flows are ``into_join``, so only take_flows' join branch can pass it). An inclusive
        # join may still wait for tokens that can arrive later: the ordinary path decides.
        return len(node.incoming) <= 1 or kind is not NodeKind.INCLUSIVE
    if kind in _ACTIVITIES:
        if kind is NodeKind.SCRIPT_TASK and (node.script is None or node.job_type):
            return False
    elif kind in _EVENTS:
        if node.trigger is not Trigger.NONE:
            return False
    else:
        return False
    return all(f.condition is None and not f.is_default for f in node.outgoing)


def pass_start(p: Processor, node: Node, scope: int) -> bool:
    """Pass the none start event of a new instance's process; False: activate it as usual.

    Only while ``StartInstance`` activates the process (``Processor.starting``, cleared here, so
    a subprocess started on the way does not pass its start: a sibling may still follow it),
    only the process's one none start, and only without variables. The queue is empty then, and
    nothing the history shows follows the start's activation, so the queue would complete it next.
    """
    p.starting = False
    container = p.nodes[node.container or ""]
    if container.starts != (node.id,) or p.queue:
        return False
    _pass_chain(p, node, scope, None, 0)
    return True


def take_flows(p: Processor, scope: int, flows: Any, depth: int, *, pending: bool = False) -> None:
    """Move a token over each flow into ``scope`` (alive), passing what would complete next.

    ``pending``: flows of earlier passed siblings come after these (see :func:`_pass_fork`), so
    nothing here would complete next.
    """
    state = p.state
    elements = p.elements
    events = p.events
    nodes = p.nodes
    left = len(flows)
    free = not pending and not p.queue and depth < MAX_NESTING
    if free and left > 1 and _fork_passes(nodes, flows) and p.steps + left <= p.ctx.step_budget:
        _pass_fork(p, scope, flows, depth)
        return
    for flow in flows:
        left -= 1
        target = flow.target
        if flow.into_join:
            taken = flow_taken(flow.id, scope, target, into_join=True)
            events.append(taken)
            _flow_taken(state, taken)
            join = nodes[target]
            if join.passes and not left and free and not p.queue and _all_arrived(state.joins, scope, join):
                _pass_chain(p, join, scope, None, depth, joined=join.incoming)  # what arrive() would activate
            else:
                arrive(p, join, scope)
            continue
        node = nodes[target]
        if node.passes and not left and free and not p.queue:
            _pass_chain(p, node, scope, flow.id, depth)
        elif node.simple:
            # Processor.activate's fast path inlined: one call less per element
            key = state.next_key
            event = element_activated(key, target, scope, flow.id)
            events.append(event)
            _activated(state, event)
            p.behaviours[node.kind].activate(p, node, elements[key], None)
        else:
            p.activate(target, scope, flow.id)


def _fork_passes(nodes: dict[str, Node], flows: Any) -> bool:
    """Every target passes, and all but the last lead only into converging gateways."""
    last = len(flows) - 1
    for index, flow in enumerate(flows):
        if flow.into_join:
            return False
        node = nodes[flow.target]
        if not node.passes:
            return False
        if index != last:
            for out in node.outgoing:
                if not out.into_join:
                    return False
    return True


def _pass_fork(p: Processor, scope: int, flows: Any, depth: int) -> None:
    """Pass every target of a fork, then take their flows in the same order.

    The queue would have activated all targets (scripts and gateway choices in flow order), then
    completed them in that order, each taking its flows. Passing them does the same in two rounds.
    What happens in between is only scripts and conditions (no element comes or goes), and all
    but the last target lead only into converging gateways, so their flows add tokens and at most
    queue a join, exactly as their completions would have; the last one's flows come last.
    """
    outs = [_pass_one(p, p.nodes[flow.target], scope, flow.id) for flow in flows]
    last = len(outs) - 1
    for index, out in enumerate(outs):
        if out:
            take_flows(p, scope, out, depth + 1, pending=index != last)
    _check_scope_later(p, scope)


def _all_arrived(joins: dict[tuple[int, str], dict[str, int]], scope: int, join: Node) -> bool:
    counts = joins.get((scope, join.id))
    if counts is None:
        return False
    return all(flow in counts for flow in join.incoming)


def _pass_chain(
    p: Processor, node: Node, scope: int, flow: str | None, depth: int, *, joined: tuple[str, ...] = ()
) -> None:
    """Pass ``node`` and, while each has one flow to another that passes, the ones after it."""
    nodes = p.nodes
    while True:
        outgoing = _pass_one(p, node, scope, flow, joined)
        if outgoing is None:
            return
        if len(outgoing) == 1:  # nothing was queued meanwhile: the next one would complete next too
            only: Flow = outgoing[0]
            target = nodes[only.target]
            if target.passes and not only.into_join:
                node = target
                flow = only.id
                joined = ()
                continue
        if outgoing:
            take_flows(p, scope, outgoing, depth + 1)
        _check_scope_later(p, scope)
        return


def _pass_one(p: Processor, node: Node, scope: int, flow: str | None, joined: tuple[str, ...] = ()) -> Any:
    """Write ``node``'s ElementPassed (and its script's result); the flows it then takes.

    None when it cannot pass after all (a script or condition fails, the step budget is spent):
    then it is activated the ordinary way, which raises the incident.
    """
    steps = p.steps = p.steps + 1
    if steps > p.ctx.step_budget:
        p.activate(node.id, scope, flow, joined=joined)  # queued: the run loop raises the incident
        return None
    kind = node.kind
    value: Any = None
    outgoing: Any = node.outgoing
    if kind is _SCRIPT_TASK:
        inst = p.elements[scope]
        # the process scope sees only its own variables: no walk up the scopes
        view = inst.variables if inst.role == "process" and inst.variables is not None else p.visible(scope)
        try:
            value = node.script(view)  # type: ignore[misc]  # passes: the script is set
        except ExpressionError:
            p.activate(node.id, scope, flow)  # evaluates again and raises the incident
            return None
    elif kind in _CHOOSING and (len(outgoing) != 1 or outgoing[0].condition is not None):
        outgoing = _choose(p, node, scope)
        if outgoing is None:
            p.activate(node.id, scope, flow)  # no flow to take, or a condition failed: an incident
            return None
    state = p.state
    event = element_passed(state.next_key, node.id, scope, flow, joined)
    p.events.append(event)
    _passed(state, event)
    name = node.result_variable
    if kind is _SCRIPT_TASK and name is not None:
        if inst.role == "process":  # the common case, without set_variables' search and copy
            result = variables_set(scope, {name: value})
            p.events.append(result)
            _variables_set(state, result)
        else:
            p.set_variables(scope, {name: value})
    return outgoing


def _check_scope_later(p: Processor, scope: int) -> None:
    """As after any completion: when nothing is left in the scope, it may be done."""
    parent = p.elements.get(scope)
    if parent is not None and parent.children == 0:
        queue = p.queue
        item = (_CHECK, scope)
        if not queue or queue[-1] != item:  # nested chains end together: one check is enough
            queue.append(item)


def _choose(p: Processor, node: Node, scope: int) -> list[Flow] | None:
    """The flows a diverging exclusive or inclusive gateway takes; None when it cannot choose."""
    first = node.kind is _EXCLUSIVE
    chosen: list[Flow] = []
    default: Flow | None = None
    view = None
    for flow in node.outgoing:
        if flow.is_default:
            default = flow
            continue
        condition = flow.condition
        if condition is not None:
            if view is None:
                view = p.visible(scope)
            try:
                if condition(view) is not True:
                    continue
            except ExpressionError:
                return None
        chosen.append(flow)
        if first:
            return chosen
    if not chosen and default is not None:
        chosen.append(default)
    return chosen or None


_CHECK = 2  # Processor's CHECK queue item (not imported: processor imports this module)
_activated = APPLIERS[ev.ElementActivated]
_passed = APPLIERS[ev.ElementPassed]
_flow_taken = APPLIERS[ev.SequenceFlowTaken]
_variables_set = APPLIERS[ev.VariablesSet]
