"""The decision requirements graph: required decisions, overrides, services, imports, API errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from civicflow.dmn import DmnImportError, DmnInputError, DmnUnknownDecision, load

from .helpers import NS, decision, literal, model

DATA = Path(__file__).parent / "data"
INPUT_X = '<informationRequirement><requiredInput href="#x"/></informationRequirement>'
INPUT_RATE = '<informationRequirement><requiredInput href="#rate"/></informationRequirement>'
INPUT_S = '<informationRequirement><requiredInput href="#s"/></informationRequirement>'
KNOW_S = '<knowledgeRequirement><requiredKnowledge href="#s"/></knowledgeRequirement>'


def test_required_decisions_inputs_and_bkm() -> None:
    m = load(DATA / "fees.dmn")
    result = m.evaluate("Permit fee", {"Applicant": {"age": 70, "category": "visitor"}, "Permit days": 10})
    assert result.outputs == {"Permit fee": Decimal(20)}
    assert [d.decision for d in result.explanation] == ["Daily rate", "Permit fee"]
    assert result.explanation[0].tables[0].matched[0].id == "r_senior"
    # capped by the BKM
    assert m.evaluate("Permit fee", {"Applicant": {"age": 30, "category": "visitor"}, "Permit days": 10}).value == 100


def test_decision_found_by_id_too() -> None:
    m = load(DATA / "fees.dmn")
    assert m.evaluate("d_rate", {"Applicant": {"age": 30, "category": "resident"}}).outputs == {"Daily rate": 5}


def test_a_supplied_decision_value_overrides_evaluation() -> None:
    m = load(DATA / "fees.dmn")
    result = m.evaluate("Permit fee", {"Daily rate": 1, "Permit days": 4})
    assert result.value == Decimal(4)
    assert result.explanation[0].supplied is True


def test_input_not_conforming_to_its_type_is_null_with_warning() -> None:
    m = load(DATA / "fees.dmn")
    result = m.evaluate("Daily rate", {"Applicant": {"age": 30, "category": "martian"}})
    assert result.value == Decimal("12.5")  # the applicant became null, so only the catch-all rule matched
    assert "input data 'Applicant'" in result.warnings[0].message


def test_decision_service_evaluates_its_outputs() -> None:
    m = load(DATA / "fees.dmn")
    result = m.evaluate("Fee service", {"Applicant": {"age": 30, "category": "resident"}, "Permit days": 2})
    assert result.outputs == {"Permit fee": Decimal(10)}


def test_decision_service_called_as_a_function() -> None:
    body = (
        '<decisionService id="s" name="double"><outputDecision href="#out"/><inputData href="#x"/></decisionService>'
        '<inputData id="x" name="x"><variable name="x" typeRef="number"/></inputData>'
        + decision(
            "out",
            literal("x * 2"),
            requires='<informationRequirement><requiredInput href="#x"/></informationRequirement>',
        )
        + decision(
            "D",
            literal("double(21)"),
            requires='<knowledgeRequirement><requiredKnowledge href="#s"/></knowledgeRequirement>',
        )
    )
    assert model(body).evaluate("D").value == Decimal(42)
    result = model(body).evaluate("D").explanation
    assert [d.decision for d in result] == ["out", "D"]


def test_imports_are_resolved_by_namespace_and_prefixed() -> None:
    lib = (
        f'<definitions xmlns="{NS}" name="lib" namespace="urn:lib">'
        '<itemDefinition name="tAmount"><typeRef>number</typeRef></itemDefinition>'
        '<businessKnowledgeModel id="vat" name="with vat"><encapsulatedLogic><formalParameter name="a"/>'
        f"{literal('a * 1.2')}</encapsulatedLogic></businessKnowledgeModel>"
        '<inputData id="rate" name="Base rate"><variable name="Base rate" typeRef="number"/></inputData>'
        + decision(
            "Base",
            literal("Base rate + 1"),
            requires='<informationRequirement><requiredInput href="#rate"/></informationRequirement>',
        )
        + "</definitions>"
    ).encode()
    main = (
        f'<definitions xmlns="{NS}" name="main" namespace="urn:main">'
        '<import namespace="urn:lib" name="lib" importType="https://www.omg.org/spec/DMN/20230324/MODEL/"/>'
        + decision(
            "Total",
            literal("lib.with vat(lib.Base)"),
            type_ref="lib.tAmount",
            requires='<informationRequirement><requiredDecision href="urn:lib#Base"/></informationRequirement>'
            '<knowledgeRequirement><requiredKnowledge href="urn:lib#vat"/></knowledgeRequirement>',
        )
        + "</definitions>"
    ).encode()
    m = load(main, imports=[lib])
    assert m.evaluate("Total", {"lib.Base rate": 9}).value == Decimal(12)
    assert m.evaluate("Total", {"{urn:lib}Base rate": 4}).value == Decimal(6)
    with pytest.raises(DmnImportError, match="urn:lib"):
        load(main)


def test_unknown_decision_and_bad_inputs_raise() -> None:
    m = load(DATA / "fees.dmn")
    with pytest.raises(DmnUnknownDecision, match="'Nope'"):
        m.evaluate("Nope", {})
    with pytest.raises(DmnInputError, match="mapping"):
        m.evaluate("Permit fee", [1, 2])  # type: ignore[arg-type]


def test_dmn11_model_evaluates() -> None:
    m = load(DATA / "dmn11.dmn")
    assert m.evaluate("Name count", {"Names": ["a", "b"]}).value == Decimal(2)
    assert m.evaluate("Name count", {"Names": "solo"}).value == Decimal(1)  # element -> singleton list


def test_loading_the_tck_arithmetic_model_is_fast() -> None:
    import time

    path = Path(__file__).resolve().parents[3].parent / "shared/data/dmn-tck/TestCases/compliance-level-3"
    path = path / "0100-arithmetic" / "0100-arithmetic.dmn"
    if not path.is_file():
        pytest.skip(f"DMN TCK not found at {path}")
    start = time.process_time()
    m = load(path)
    assert len(m.decision_names) == 1087
    assert time.process_time() - start < 2.0


def test_json_strings_become_dates_for_temporal_inputs() -> None:
    body = '<inputData id="s" name="Start"><variable name="Start" typeRef="date"/></inputData>' + decision(
        "D", literal("Start + duration(&quot;P1D&quot;)"), requires=INPUT_S
    )
    m = model(body)
    result = m.evaluate("D", m.from_json({"Start": "2025-01-31"}))
    assert str(result.value) == "2025-02-01"
    assert m.evaluate("D", {"Start": "2025-01-31"}).value is None  # a string is not a date
