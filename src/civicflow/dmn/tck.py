"""Run DMN TCK test folders (format: the TCK's testCases.xsd) and compare as the Java runners do.

Numbers match within 1e-8, lists element-wise, contexts by key set and values, null only null.
A test case passes when every result node matches.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError  # types only; parsing goes through defusedxml  # nosec B405

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from civicflow.dmn.api import DmnModel, load
from civicflow.dmn.errors import DmnError
from civicflow.feel.evaluation import Clock
from civicflow.feel.temporal import parse_date, parse_date_time, parse_duration, parse_time
from civicflow.feel.values import from_feel

__all__ = ["CaseResult", "TckSummary", "compare", "find_test_files", "run_folder", "run_tck"]

_TC = "http://www.omg.org/spec/DMN/20160719/testcase"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_TOLERANCE = Decimal("1e-8")
UNSCORED_LEVEL = "non-compliant"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    """One test case of one test file."""

    level: str
    folder: str
    case_id: str
    passed: bool
    non_null: bool
    expected: dict[str, Any]
    actual: dict[str, Any]
    error: str | None = None


@dataclass(slots=True)
class TckSummary:
    results: list[CaseResult] = field(default_factory=list)

    def counts(self, level: str | None = None, *, non_null_only: bool = False) -> tuple[int, int]:
        """Passed and failed cases of ``level``; without a level, of every scored level.

        The TCK parks its ``non-compliant`` folders outside the score, so the totals leave them out.
        """

        def wanted(result: CaseResult) -> bool:
            if level is None:
                return result.level != UNSCORED_LEVEL
            return result.level == level

        chosen = [r for r in self.results if wanted(r) and (r.non_null or not non_null_only)]
        passed = sum(1 for r in chosen if r.passed)
        return passed, len(chosen) - passed

    @property
    def levels(self) -> list[str]:
        return sorted({r.level for r in self.results})


def find_test_files(directory: Path) -> list[Path]:
    """Every ``*-test-*.xml`` under ``directory`` (itself included), sorted."""
    return sorted(p for p in directory.rglob("*.xml") if "-test-" in p.name)


def _level_of(test_file: Path, root: Path) -> str:
    for part in test_file.parts:
        if part.startswith("compliance-level-") or part == "non-compliant":
            return part
    rel = test_file.relative_to(root).parts
    return rel[0] if len(rel) > 2 else root.name


def run_tck(
    directory: Path, *, clock: Clock | None = None, progress: Callable[[int, int], None] | None = None
) -> TckSummary:
    """Run every test file under ``directory``; ``progress(done, total)`` after each file.

    ``clock`` feeds ``now()`` and ``today()`` (the core never reads the wall clock itself).
    """
    files = find_test_files(directory)
    summary = TckSummary()
    for done, test_file in enumerate(files, 1):
        summary.results.extend(run_folder(test_file, level=_level_of(test_file, directory), clock=clock))
        if progress is not None:
            progress(done, len(files))
    return summary


def _children(el: Element, local: str) -> Iterator[Element]:
    for child in el:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == local:
            yield child


def _child(el: Element, local: str) -> Element | None:
    return next(_children(el, local), None)


def parse_value(el: Element | None) -> Any:
    """Convert a TCK ``valueType`` element (value / component* / list) to a FEEL value."""
    if el is None:
        return None
    if el.get(f"{{{_XSI}}}nil") == "true":
        return None
    value = _child(el, "value")
    if value is not None:
        return _scalar(value)
    components = list(_children(el, "component"))
    if components:
        return {c.get("name", ""): parse_value(c) for c in components}
    lst = _child(el, "list")
    if lst is not None:
        if lst.get(f"{{{_XSI}}}nil") == "true":
            return None
        return [parse_value(item) for item in _children(lst, "item")]
    return None


def _scalar(el: Element) -> Any:
    if el.get(f"{{{_XSI}}}nil") == "true":
        return None
    kind = (el.get(f"{{{_XSI}}}type") or "").rpartition(":")[2]
    text = el.text or ""
    if kind in ("string", ""):
        return text
    stripped = text.strip()
    if kind in ("decimal", "double", "float", "integer", "int", "long", "short"):
        try:
            return Decimal(stripped)
        except InvalidOperation:
            return None
    if kind == "boolean":
        return stripped == "true"
    if kind == "date":
        return parse_date(stripped)
    if kind == "dateTime":
        return parse_date_time(stripped)
    if kind == "time":
        return parse_time(stripped)
    if kind == "duration":
        return parse_duration(stripped)
    return text


def compare(expected: Any, actual: Any) -> bool:
    """TCK equality: numbers within 1e-8, lists in order, contexts by keys, null only null."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if type(expected) is Decimal:
        return type(actual) is Decimal and abs(expected - actual) < _TOLERANCE
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(compare(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(compare(v, actual[k]) for k, v in expected.items())
        )
    return type(expected) is type(actual) and bool(expected == actual)


def _all_null(value: Any) -> bool:
    return value is None


def _plain(value: Any) -> Any:
    try:
        return from_feel(value)
    except Exception:  # noqa: BLE001 - a report must never fail on an odd value
        return repr(value)


def run_folder(test_file: Path, *, level: str = "", clock: Clock | None = None) -> list[CaseResult]:
    """Run one TCK test file against the model it names."""
    folder = test_file.parent.name
    try:
        root = SafeET.parse(io.BytesIO(test_file.read_bytes()), forbid_dtd=True).getroot()
    except (ParseError, DefusedXmlException, OSError) as exc:
        return [
            CaseResult(
                level=level,
                folder=folder,
                case_id="*",
                passed=False,
                non_null=False,
                expected={},
                actual={},
                error=f"unreadable test file: {exc}",
            )
        ]
    if root is None:  # pragma: no cover - parse() raises on an empty document
        return []
    name_el = _child(root, "modelName")
    model_name = (name_el.text or "").strip() if name_el is not None else ""
    model: DmnModel | None = None
    load_error: str | None = None
    try:
        main = test_file.parent / model_name
        others = [p for p in sorted(test_file.parent.glob("*.dmn")) if p != main]
        model = load(main, imports=others)
    except DmnError as exc:
        load_error = f"model did not load: {exc}"
    return [
        _run_case(case, model, load_error, level=level, folder=folder, clock=clock)
        for case in _children(root, "testCase")
    ]


def _run_case(
    case: Element, model: DmnModel | None, load_error: str | None, *, level: str, folder: str, clock: Clock | None
) -> CaseResult:
    case_id = case.get("id", "?")
    expected = {r.get("name", ""): parse_value(_child(r, "expected")) for r in _children(case, "resultNode")}
    non_null = not all(_all_null(v) for v in expected.values())
    plain_expected = {k: _plain(v) for k, v in expected.items()}
    if model is None:
        return CaseResult(
            level=level,
            folder=folder,
            case_id=case_id,
            passed=False,
            non_null=non_null,
            expected=plain_expected,
            actual={},
            error=load_error,
        )
    inputs: dict[str, Any] = {}
    for node in _children(case, "inputNode"):
        name = node.get("name", "")
        ns = node.get("namespace")
        key = name if not ns or ns == model.namespace else f"{{{ns}}}{name}"
        inputs[key] = parse_value(node)
    actual: dict[str, Any] = {}
    try:
        if case.get("type") == "decisionService":
            result = model.evaluate(case.get("invocableName", ""), inputs, clock=clock, explain=False)
            actual = {name: result.outputs.get(name) for name in expected}
        else:
            for name in expected:
                actual[name] = model.evaluate(name, inputs, clock=clock, explain=False).outputs.get(name)
    except Exception as exc:  # noqa: BLE001 - one failing case must not stop the run
        return CaseResult(
            level=level,
            folder=folder,
            case_id=case_id,
            passed=False,
            non_null=non_null,
            expected=plain_expected,
            actual={k: _plain(v) for k, v in actual.items()},
            error=f"{type(exc).__name__}: {exc}",
        )
    passed = all(compare(expected[name], actual.get(name)) for name in expected)
    return CaseResult(
        level=level,
        folder=folder,
        case_id=case_id,
        passed=passed,
        non_null=non_null,
        expected=plain_expected,
        actual={k: _plain(v) for k, v in actual.items()},
    )
