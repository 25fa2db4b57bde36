"""Decision tables compiled to closures: all hit policies, input/output values, default outputs.

The hot path evaluates each input expression once, then walks the rules testing only the
non-``-`` entries; FIRST and UNIQUE-with-explanation-off stop as early as the policy allows.
Output entries are evaluated only for rules that matched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from civicflow.dmn._feel import Closure, UnaryTest, compile_expression, compile_tests
from civicflow.dmn.explanation import MatchedRule, TableExplanation
from civicflow.dmn.model import DecisionTable, HitPolicy
from civicflow.dmn.types import ANY, DmnType, coerce
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.types import FeelType

__all__ = ["compile_decision_table"]

_MULTI_HIT = frozenset({HitPolicy.COLLECT, HitPolicy.RULE_ORDER, HitPolicy.OUTPUT_ORDER})
_Rule = tuple[int, tuple[tuple[int, UnaryTest], ...], tuple[Closure, ...]]


def _is_any(text: str) -> bool:
    return text.strip() in ("", "-")


def compile_decision_table(
    table: DecisionTable,
    *,
    names: frozenset[str],
    resolve_type: Callable[[str | None], DmnType],
    label: str,
    types: Mapping[str, FeelType] | None = None,
) -> Closure:
    """Compile ``table`` once; the closure returns the table's result (null + warning on errors)."""
    name_list = tuple(sorted(names))
    in_fns = tuple(compile_expression(i.expression.text, name_list, types) for i in table.inputs)
    in_labels = tuple(i.label or i.expression.text.strip() for i in table.inputs)
    in_checks = tuple(
        (n, compile_tests(i.input_values, name_list, types), i.input_values.strip())
        for n, i in enumerate(table.inputs)
        if i.input_values is not None and i.input_values.strip()
    )
    outputs = table.outputs
    single = len(outputs) == 1
    out_names = tuple(o.name or table.output_label or label for o in outputs)
    out_types = tuple(resolve_type(o.type_ref) for o in outputs)
    out_checks = tuple(
        compile_tests(o.output_values, name_list, types) if o.output_values and o.output_values.strip() else None
        for o in outputs
    )
    defaults = tuple(
        compile_expression(o.default_output, name_list, types)
        if o.default_output and o.default_output.strip()
        else None
        for o in outputs
    )
    rules: tuple[_Rule, ...] = tuple(
        (
            index,
            tuple(
                (col, compile_tests(text, name_list, types))
                for col, text in enumerate(rule.input_entries)
                if not _is_any(text)
            ),
            tuple(compile_expression(text, name_list, types) for text in rule.output_entries),
        )
        for index, rule in enumerate(table.rules)
    )
    rule_meta = tuple((r.id, r.annotations) for r in table.rules)
    policy = table.hit_policy
    aggregation = table.aggregation
    priority_lists: list[list[Any] | None] = []
    priority_fns = tuple(
        compile_expression(f"[{o.output_values}]", ()) if o.output_values and o.output_values.strip() else None
        for o in outputs
    )
    typed = any(t is not ANY for t in out_types) or any(c is not None for c in out_checks)

    def row_values(rule: _Rule, scope: dict[str, Any], ev: Evaluation) -> list[Any]:
        values = [fn(scope, ev) for fn in rule[2]]
        if typed:
            for n, value in enumerate(values):
                check = out_checks[n]
                if check is not None and value is not None and check(value, scope, ev) is not True:
                    ev.warn("dmn", f"{label}: output {value!r} is not among the output values of {out_names[n]!r}")
                    values[n] = None
                elif out_types[n] is not ANY:
                    values[n] = coerce(value, out_types[n], ev, f"{label} output {out_names[n]!r}")
        return values

    def shape(values: list[Any]) -> Any:
        return values[0] if single else dict(zip(out_names, values, strict=True))

    def priorities(ev: Evaluation) -> list[list[Any] | None]:
        if not priority_lists:
            for fn in priority_fns:
                value = fn({}, ev) if fn is not None else None
                priority_lists.append(value if isinstance(value, list) else None)
        return priority_lists

    def priority_key(values: list[Any], ev: Evaluation) -> tuple[int, ...]:
        key = []
        for n, allowed in enumerate(priorities(ev)):
            if allowed is None:
                continue
            try:
                key.append(allowed.index(values[n]))
            except ValueError:
                key.append(len(allowed))
        return tuple(key)

    has_defaults = any(d is not None for d in defaults)

    def default_result(scope: dict[str, Any], ev: Evaluation) -> Any:
        return shape([d(scope, ev) if d is not None else None for d in defaults])

    def evaluate(scope: dict[str, Any], ev: Evaluation) -> Any:
        values = [fn(scope, ev) for fn in in_fns]
        for col, check, text in in_checks:
            value = values[col]
            if value is not None and check(value, scope, ev) is not True:
                ev.warn("dmn", f"{label}: input {in_labels[col]!r} = {value!r} is not among its input values {text}")
                return None
        explanation = getattr(ev, "explanation", None)
        matched: list[_Rule] = []
        for rule in rules:
            for col, test in rule[1]:
                if test(values[col], scope, ev) is not True:
                    break
            else:
                matched.append(rule)
                if policy is HitPolicy.FIRST:
                    break
        rows = [row_values(rule, scope, ev) for rule in matched]
        result = _apply_policy(
            policy,
            aggregation=aggregation,
            rows=rows,
            single=single,
            label=label,
            ev=ev,
            shape=shape,
            priority_key=priority_key,
        )
        if not matched:
            if has_defaults:
                result = default_result(scope, ev)
            elif aggregation is None and policy in _MULTI_HIT:
                result = []
        if explanation is not None:
            explanation.append(
                TableExplanation(
                    decision=getattr(ev, "decision", None),
                    table_id=table.id,
                    hit_policy=policy.value + (f" {aggregation}" if aggregation else ""),
                    inputs=tuple(zip(in_labels, values, strict=True)),
                    matched=tuple(
                        MatchedRule(
                            index=rule[0] + 1,
                            id=rule_meta[rule[0]][0],
                            outputs=dict(zip(out_names, row, strict=True)),
                            annotations=rule_meta[rule[0]][1],
                        )
                        for rule, row in zip(matched, rows, strict=True)
                    ),
                    result=result,
                )
            )
        return result

    return evaluate


def _apply_policy(
    policy: HitPolicy,
    *,
    aggregation: str | None,
    rows: list[list[Any]],
    single: bool,
    label: str,
    ev: Evaluation,
    shape: Callable[[list[Any]], Any],
    priority_key: Callable[[list[Any], Evaluation], tuple[int, ...]],
) -> Any:
    if not rows:
        if policy is HitPolicy.COLLECT and aggregation == "COUNT":
            return Decimal(0)
        return None
    if policy is HitPolicy.FIRST:
        return shape(rows[0])
    if policy is HitPolicy.UNIQUE:
        if len(rows) > 1:
            ev.warn("dmn", f"{label}: {len(rows)} rules matched a UNIQUE decision table; result is null")
            return None
        return shape(rows[0])
    if policy is HitPolicy.ANY:
        first = rows[0]
        if any(row != first for row in rows[1:]):
            ev.warn("dmn", f"{label}: rules matched by an ANY decision table give different outputs; result is null")
            return None
        return shape(first)
    if policy is HitPolicy.PRIORITY:
        best = min(rows, key=lambda row: priority_key(row, ev))
        return shape(best)
    if policy is HitPolicy.OUTPUT_ORDER:
        return [shape(row) for row in sorted(rows, key=lambda row: priority_key(row, ev))]
    if policy is HitPolicy.RULE_ORDER:
        return [shape(row) for row in rows]
    # COLLECT
    if aggregation is None:
        return [shape(row) for row in rows]
    if not single:
        ev.warn("dmn", f"{label}: aggregation {aggregation} needs exactly one output column; result is null")
        return None
    return _aggregate(aggregation, [row[0] for row in rows], label, ev)


def _aggregate(aggregation: str, values: list[Any], label: str, ev: Evaluation) -> Any:
    if aggregation == "COUNT":
        return Decimal(len(values))
    present = [v for v in values if v is not None]
    if aggregation == "SUM":
        if not all(type(v) is Decimal for v in present):
            ev.warn("dmn", f"{label}: SUM over non-numbers; result is null")
            return None
        if not present:
            return None
        total = Decimal(0)
        for v in present:
            total += v
        return total
    if not present:
        return None
    try:
        return min(present) if aggregation == "MIN" else max(present)
    except TypeError:
        ev.warn("dmn", f"{label}: {aggregation} over values that cannot be compared; result is null")
        return None
