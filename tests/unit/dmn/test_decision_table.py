"""Decision tables: every hit policy, aggregations, output order, defaults, explanations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .helpers import decision, model, table

RULES = [
    (["&lt; 10"], ['"low"', "1"]),
    (["&lt; 20"], ['"mid"', "2"]),
    (["-"], ['"any"', "3"]),
]


def evaluate(dt: str, inputs: dict[str, object]) -> object:
    return model(decision("D", dt)).evaluate("D", inputs).outputs["D"]


def single(policy: str, **kw: object) -> str:
    rules = [(ins, [outs[1]]) for ins, outs in RULES]
    return table(policy, ["x"], [""], rules, **kw)  # type: ignore[arg-type]


def test_unique_single_match_and_overlap_is_null_with_warning() -> None:
    dt = table("UNIQUE", ["x"], [""], [(["&lt; 10"], ["1"]), (["[10..20]"], ["2"]), (["&gt; 15"], ["3"])])
    m = model(decision("D", dt))
    assert m.evaluate("D", {"x": 12}).outputs["D"] == Decimal(2)
    overlap = m.evaluate("D", {"x": 17})
    assert overlap.outputs["D"] is None
    assert "2 rules matched a UNIQUE" in overlap.warnings[0].message


def test_first_stops_at_first_match() -> None:
    assert evaluate(single("FIRST"), {"x": 5}) == Decimal(1)
    assert evaluate(single("FIRST"), {"x": 15}) == Decimal(2)
    assert evaluate(single("FIRST"), {"x": 50}) == Decimal(3)


def test_any_requires_equal_outputs() -> None:
    same = table("ANY", ["x"], [""], [(["&lt; 10"], ['"y"']), (["&lt; 20"], ['"y"'])])
    assert evaluate(same, {"x": 5}) == "y"
    differ = table("ANY", ["x"], [""], [(["&lt; 10"], ['"y"']), (["&lt; 20"], ['"n"'])])
    assert evaluate(differ, {"x": 5}) is None


def test_priority_uses_output_values_order() -> None:
    dt = table(
        "PRIORITY",
        ["x"],
        [""],
        [(["&lt; 10"], ['"low"']), (["&lt; 20"], ['"high"']), (["-"], ['"mid"'])],
        output_values={"": '"high", "mid", "low"'},
    )
    assert evaluate(dt, {"x": 5}) == "high"
    assert evaluate(dt, {"x": 50}) == "mid"


def test_output_order_sorts_by_priority_and_rule_order_keeps_rules() -> None:
    kw = {"output_values": {"": '"high", "mid", "low"'}}
    rules = [(["&lt; 10"], ['"low"']), (["&lt; 20"], ['"high"']), (["-"], ['"mid"'])]
    assert evaluate(table("OUTPUT ORDER", ["x"], [""], rules, **kw), {"x": 5}) == ["high", "mid", "low"]  # type: ignore[arg-type]
    assert evaluate(table("RULE ORDER", ["x"], [""], rules), {"x": 5}) == ["low", "high", "mid"]


@pytest.mark.parametrize(
    ("aggregation", "x", "expected"),
    [
        ("", 5, [Decimal(1), Decimal(2), Decimal(3)]),
        ("SUM", 5, Decimal(6)),
        ("COUNT", 15, Decimal(2)),
        ("MIN", 15, Decimal(2)),
        ("MAX", 5, Decimal(3)),
    ],
)
def test_collect_and_aggregations(aggregation: str, x: int, expected: object) -> None:
    assert evaluate(single("COLLECT", aggregation=aggregation), {"x": x}) == expected


def test_collect_without_match() -> None:
    rules = [(["&lt; 10"], ["1"])]
    assert evaluate(table("COLLECT", ["x"], [""], rules), {"x": 50}) == []
    assert evaluate(table("COLLECT", ["x"], [""], rules, aggregation="COUNT"), {"x": 50}) == Decimal(0)
    assert evaluate(table("COLLECT", ["x"], [""], rules, aggregation="SUM"), {"x": 50}) is None


def test_multiple_outputs_make_contexts() -> None:
    dt = table("COLLECT", ["x"], ["label", "score"], RULES)
    assert evaluate(dt, {"x": 15}) == [
        {"label": "mid", "score": Decimal(2)},
        {"label": "any", "score": Decimal(3)},
    ]


def test_default_output_when_nothing_matches() -> None:
    dt = table("UNIQUE", ["x"], ["label", "score"], [(["&lt; 10"], ['"low"', "1"])], defaults={"label": '"none"'})
    assert evaluate(dt, {"x": 50}) == {"label": "none", "score": None}


def test_input_outside_input_values_gives_null_with_warning() -> None:
    dt = table("FIRST", ["c"], [""], [(["-"], ["1"])], input_values={"c": '"A", "B"'})
    m = model(decision("D", dt))
    assert m.evaluate("D", {"c": "A"}).outputs["D"] == Decimal(1)
    bad = m.evaluate("D", {"c": "Z"})
    assert bad.outputs["D"] is None
    assert "not among its input values" in bad.warnings[0].message


def test_null_input_matches_only_dash_or_null_tests() -> None:
    dt = table("FIRST", ["x"], [""], [(["&gt; 1"], ['"big"']), (["null"], ['"missing"']), (["-"], ['"other"'])])
    assert evaluate(dt, {}) == "missing"


def test_explanation_records_inputs_and_matched_rules() -> None:
    m = model(decision("D", single("RULE ORDER")))
    result = m.evaluate("D", {"x": 15})
    (explained,) = result.explanation
    assert explained.decision == "D"
    assert explained.value == [Decimal(2), Decimal(3)]
    (tab,) = explained.tables
    assert tab.hit_policy == "RULE ORDER"
    assert tab.inputs == (("x", Decimal(15)),)
    assert [(r.index, r.id) for r in tab.matched] == [(2, "r2"), (3, "r3")]
    assert tab.matched[0].outputs == {"D": Decimal(2)}


def test_explanation_can_be_switched_off() -> None:
    m = model(decision("D", single("FIRST")))
    assert m.evaluate("D", {"x": 1}, explain=False).explanation == ()
