"""Process tests as data: YAML scenarios run in memory on a virtual clock.

A scenario names its model (a file or a list, .dmn included), optionally the process and the
start instant, how to start, what service-task jobs return by job type, a list of steps and a
final expectation; see docs/bpmn-elements.md for the format. Every scenario can also run in
*restore* mode, where the state is serialized and restored after each command, and the final
state is checked against a replay of the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from civicflow.engine import commands as cmd
from civicflow.engine.apply import replay
from civicflow.engine.compiler import compile_graph
from civicflow.engine.errors import CommandRejectedError, EngineError, ExpressionError, ScenarioError
from civicflow.engine.events import Event
from civicflow.engine.feel_port import FeelEvaluator
from civicflow.engine.graph import Graph
from civicflow.engine.ports import DecisionEvaluator, NoDecisions, SequentialIds, VirtualClock
from civicflow.engine.processor import Context
from civicflow.engine.runtime import InMemoryRuntime, Wait
from civicflow.engine.serialize import dumps_state
from civicflow.engine.state import InstanceState
from civicflow.engine.timers import add_iso_duration, iso_duration_delta, parse_instant
from civicflow.engine.values import plain, to_engine

__all__ = ["ScenarioResult", "ScenarioTrace", "load_graph", "run_scenario", "trace_scenario"]

_DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_MAX_AUTO_JOBS = 10_000


@dataclass(slots=True, kw_only=True)
class ScenarioResult:
    name: str
    file: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    max_state_bytes: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioTrace:
    """What a scenario run wrote: its full history, the state it ended in, and its model files."""

    history: tuple[Event, ...]
    state: InstanceState
    models: tuple[Path, ...]


class _ExpectationError(Exception):
    """An expectation did not hold (internal to the runner)."""


def load_graph(paths: list[Path], clock: VirtualClock) -> tuple[Graph, DecisionEvaluator]:
    """Compile the BPMN files of a deployment; DMN files become the decision port."""
    from civicflow.bpmn import load

    bpmn = [load(p) for p in paths if p.suffix.lower() != ".dmn"]
    dmn_files = [p for p in paths if p.suffix.lower() == ".dmn"]
    decisions: DecisionEvaluator = NoDecisions()
    if dmn_files:
        from civicflow import dmn
        from civicflow.engine.dmn_port import DmnDecisions

        decisions = DmnDecisions([dmn.load(p) for p in dmn_files])
    return compile_graph(bpmn, FeelEvaluator(clock)), decisions


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_instant(str(value), _DEFAULT_START)


class _Run:
    def __init__(self, spec: dict[str, Any], base: Path, *, restore: bool) -> None:
        self.spec = spec
        self.base = base
        models = [base / str(m) for m in _as_list(spec.get("model"))]
        if not models:
            raise ScenarioError("no model given")
        self.clock = VirtualClock(_instant(spec["at"]) if "at" in spec else _DEFAULT_START)
        graph, decisions = load_graph(models, self.clock)
        ctx = Context(clock=self.clock, ids=SequentialIds(), decisions=decisions, step_budget=200_000)
        self.rt = InMemoryRuntime(graph, ctx, restore=restore)
        self.jobs: dict[str, Any] = dict(spec.get("jobs") or {})
        self.handled: set[int] = set()  # jobs answered automatically (an uncaught error leaves them open)

    # driving -----------------------------------------------------------------------------------
    def send(self, command: cmd.Command) -> None:
        self.rt.send(command)
        self.auto_jobs()

    def auto_jobs(self) -> None:
        for _ in range(_MAX_AUTO_JOBS):
            jobs = sorted(self.rt.state.jobs.values(), key=lambda j: j.key)
            job = next((j for j in jobs if j.type in self.jobs and j.retries > 0 and j.key not in self.handled), None)
            if job is None or not self.rt.state.elements:
                return
            self.handled.add(job.key)
            outcome = self.jobs[job.type] or {}
            if "error" in outcome:
                self.rt.send(
                    cmd.ThrowBpmnError(
                        job=job.key,
                        code=str(outcome["error"]),
                        message=str(outcome.get("message", "")),
                        variables=dict(outcome.get("variables") or {}),
                    )
                )
            elif "fail" in outcome:
                self.rt.send(cmd.FailJob(job=job.key, retries=0, message=str(outcome["fail"])))
            else:
                self.rt.send(cmd.CompleteJob(job=job.key, variables=dict(outcome.get("variables") or {})))
        raise ScenarioError("service-task jobs keep coming back (more than 10000 completed automatically)")

    def start(self) -> None:
        start = self.spec.get("start") or {}
        graph = self.rt.graph
        process = graph.process_id(self.spec.get("process"))
        variables = dict(start.get("variables") or {})
        start_event = None
        if "message" in start:
            found = graph.message_starts.get(str(start["message"]))
            if found is None:
                raise ScenarioError(f"no message start event for {start['message']!r}")
            process, start_event = found
        elif "event" in start:
            start_event = str(start["event"])
        self.send(cmd.StartInstance(process=process, variables=variables, start_event=start_event))

    def find_wait(self, ref: str, kinds: tuple[str, ...]) -> Wait:
        for wait in self.rt.waits():
            if wait.kind in kinds and ref in (wait.element, wait.name):
                return wait
        open_waits = [w.element for w in self.rt.waits()]
        raise _ExpectationError(f"nothing waiting at {ref!r} (waiting: {open_waits})")

    def step(self, step: dict[str, Any]) -> None:
        if "expect" in step:
            self.expect(step["expect"] or {})
        elif "complete" in step:
            wait = self.find_wait(str(step["complete"]), ("task", "job"))
            variables = dict(step.get("variables") or {})
            if wait.kind == "task":
                self.send(cmd.CompleteTask(task=wait.key, variables=variables))
            else:
                self.send(cmd.CompleteJob(job=wait.key, variables=variables))
        elif "correlate" in step:
            c = step["correlate"]
            c = {"message": c} if isinstance(c, str) else c
            ttl = iso_duration_delta(str(c["ttl"])) if c.get("ttl") else None
            self.send(
                cmd.CorrelateMessage(
                    name=str(c["message"]),
                    correlation=None if c.get("key") is None else str(plain(to_engine(c["key"]))),
                    variables=dict(c.get("variables") or {}),
                    ttl=ttl,
                )
            )
        elif "advance" in step:
            a = step["advance"]
            if isinstance(a, dict) and "to" in a:
                target = _instant(a["to"])
            else:
                target = add_iso_duration(self.clock.now(), str(a))
            self.rt.advance_to(target)
            self.auto_jobs()
        elif "signal" in step:
            s = step["signal"]
            s = {"name": s} if isinstance(s, str) else s
            self.send(cmd.BroadcastSignal(name=str(s["name"]), variables=dict(s.get("variables") or {})))
        elif "fail" in step:
            f = step["fail"]
            wait = self.find_wait(str(f["task"]), ("job",))
            self.send(cmd.FailJob(job=wait.key, retries=int(f.get("retries", 0)), message=str(f.get("message", ""))))
        elif "throw" in step:
            t = step["throw"]
            wait = self.find_wait(str(t["task"]), ("job",))
            self.send(
                cmd.ThrowBpmnError(
                    job=wait.key,
                    code=str(t["error"]),
                    message=str(t.get("message", "")),
                    variables=dict(t.get("variables") or {}),
                )
            )
        elif "set" in step:
            self.send(cmd.SetVariables(variables=dict(step["set"] or {})))
        elif "cancel" in step:
            self.send(cmd.CancelInstance(reason=str(step["cancel"])))
        elif "resolve" in step:
            r = step["resolve"]
            r = {"element": r} if isinstance(r, str) else r
            wait = self.find_wait(str(r["element"]), ("incident",))
            self.send(cmd.ResolveIncident(incident=wait.key, retries=int(r.get("retries", 1))))
            self.auto_jobs()
        else:
            raise ScenarioError(f"unknown step {sorted(step)}")

    # checking ----------------------------------------------------------------------------------
    def expect(self, e: dict[str, Any]) -> None:
        rt = self.rt
        if "state" in e and rt.status() != str(e["state"]):
            detail = [w.detail for w in rt.waits() if w.kind == "incident"]
            raise _ExpectationError(
                f"state is {rt.status()!r}, expected {e['state']!r}" + (f" {detail}" if detail else "")
            )
        if "waiting" in e:
            expected = sorted(str(x) for x in _as_list(e["waiting"]))
            waits = [w for w in rt.waits() if w.kind != "incident"]
            actual = sorted({w.element for w in waits})
            by_name = sorted({(w.name or w.element) for w in waits})
            if expected not in (actual, by_name) and sorted(set(expected)) != actual:
                mixed = {w.element for w in waits} | {w.name for w in waits if w.name}
                if not (set(expected) <= mixed and len(set(expected)) == len(actual)):
                    raise _ExpectationError(f"waiting at {actual}, expected {expected}")
        if "passed" in e:
            done = rt.completed()
            position = 0
            for ref in _as_list(e["passed"]):
                ids = self._ids(str(ref))
                while position < len(done) and done[position] not in ids:
                    position += 1
                if position == len(done):
                    raise _ExpectationError(f"{ref!r} not passed in order; completed: {done}")
                position += 1
        for ref in _as_list(e.get("not_passed")):
            if set(self._ids(str(ref))) & set(rt.completed()):
                raise _ExpectationError(f"{ref!r} was passed")
        if "variables" in e:
            actual_vars = rt.variables()
            for name, value in (e["variables"] or {}).items():
                if name not in actual_vars:
                    raise _ExpectationError(f"variable {name!r} is not set (variables: {sorted(actual_vars)})")
                if to_engine(value) != actual_vars[name]:
                    raise _ExpectationError(f"variable {name!r} is {plain(actual_vars[name])!r}, expected {value!r}")
        if "incidents" in e:
            incidents = sorted(w.element for w in rt.waits() if w.kind == "incident")
            if incidents != sorted(str(x) for x in _as_list(e["incidents"])):
                raise _ExpectationError(f"incidents at {incidents}, expected {e['incidents']}")
        if "completed_count" in e:
            count = rt.completed().count(str(e["completed_count"][0]))
            if count != int(e["completed_count"][1]):
                raise _ExpectationError(
                    f"{e['completed_count'][0]!r} completed {count} times, expected {e['completed_count'][1]}"
                )

    def _ids(self, ref: str) -> set[str]:
        ids = {n.id for n in self.rt.graph.nodes.values() if ref in (n.id, n.name)}
        return ids or {ref}

    def verify_replay(self) -> None:
        rebuilt = replay(self.rt.history)
        if dumps_state(rebuilt) != dumps_state(self.rt.state):
            raise _ExpectationError("replaying the history does not rebuild the state")


def _load_spec(path: Path) -> dict[str, Any]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict):
        raise ScenarioError("a scenario is a YAML mapping", file=str(path))
    return spec


def _drive(path: Path, spec: dict[str, Any], *, restore: bool) -> _Run:
    """Start, run every step and check the final expectation; raises _ExpectationError."""
    run = _Run(spec, path.parent, restore=restore)
    run.start()
    for index, step in enumerate(spec.get("steps") or [], start=1):
        if not isinstance(step, dict):
            raise ScenarioError(f"step {index} is not a mapping", file=str(path))
        try:
            run.step(step)
        except _ExpectationError as exc:
            raise _ExpectationError(f"step {index} ({next(iter(step))}): {exc}") from exc
        except CommandRejectedError as exc:
            raise _ExpectationError(f"step {index} ({next(iter(step))}): rejected: {exc}") from exc
    final = spec.get("expect")
    if final:
        try:
            run.expect(final)
        except _ExpectationError as exc:
            raise _ExpectationError(f"final expect: {exc}") from exc
    return run


def trace_scenario(path: Path, *, restore: bool = False) -> ScenarioTrace:
    """Run one scenario and return what it wrote (recorded histories are made of these);
    ``restore`` serializes and restores the state after every command.

    Raises :class:`ScenarioError` when the scenario cannot be run or one of its expectations fails.
    """
    spec = _load_spec(path)
    try:
        run = _drive(path, spec, restore=restore)
    except _ExpectationError as exc:
        raise ScenarioError(str(exc), file=str(path)) from exc
    models = tuple(path.parent / str(m) for m in _as_list(spec.get("model")))
    return ScenarioTrace(history=tuple(run.rt.history), state=run.rt.state, models=models)


def run_scenario(path: Path, *, restore: bool = False) -> ScenarioResult:
    """Run one scenario file; never raises for a failing scenario, only reports it."""
    import time

    started = time.perf_counter()
    name = path.stem
    try:
        spec = _load_spec(path)
        name = str(spec.get("name", name))
        run = _drive(path, spec, restore=restore)
        run.verify_replay()
    except _ExpectationError as exc:
        return ScenarioResult(
            name=name, file=str(path), passed=False, failures=[str(exc)], seconds=time.perf_counter() - started
        )
    except (EngineError, OSError, yaml.YAMLError, KeyError, TypeError, ValueError, ExpressionError) as exc:
        return ScenarioResult(
            name=name, file=str(path), passed=False, failures=[f"error: {exc}"], seconds=time.perf_counter() - started
        )
    return ScenarioResult(
        name=name,
        file=str(path),
        passed=True,
        seconds=time.perf_counter() - started,
        max_state_bytes=run.rt.max_state_bytes,
    )
