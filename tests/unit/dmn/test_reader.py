"""Reading DMN XML: namespaces by URI, every DMN version, safe parsing, the model's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.dmn.errors import DmnParseError
from civicflow.dmn.model import Context, DecisionTable, HitPolicy, Iterator, LiteralExpression, Ref
from civicflow.dmn.reader import DMN_NAMESPACES, read_definitions

DATA = Path(__file__).parent / "data"


def test_reads_model_with_unusual_prefix() -> None:
    d = read_definitions((DATA / "fees.dmn").read_bytes())
    assert d.name == "Permit fees"
    assert d.dmn_version == "1.3"
    assert [i.name for i in d.input_data] == ["Applicant", "Permit days"]
    rate = d.decisions[0]
    assert rate.required_inputs == (Ref(namespace="http://example.org/fees", id="i_applicant"),)
    table = rate.expression
    assert isinstance(table, DecisionTable)
    assert table.hit_policy is HitPolicy.FIRST
    assert [r.id for r in table.rules] == ["r_senior", "r_resident", "r_other"]
    assert table.rules[0].input_entries == (">= 65", "-")
    assert table.inputs[0].expression.text == "Applicant.age"
    assert table.outputs[0].name == "rate"


def test_item_definitions_components_and_allowed_values() -> None:
    d = read_definitions((DATA / "fees.dmn").read_bytes())
    category, applicant = d.item_definitions
    assert category.allowed_values == '"resident", "business", "visitor"'
    assert [(c.name, c.type_ref) for c in applicant.components] == [("age", "number"), ("category", "tCategory")]


def test_bkm_and_decision_service() -> None:
    d = read_definitions((DATA / "fees.dmn").read_bytes())
    (bkm,) = d.bkms
    assert bkm.logic is not None
    assert [p.name for p in bkm.logic.parameters] == ["amount", "cap"]
    (service,) = d.decision_services
    assert [r.id for r in service.output_decisions] == ["d_fee"]
    assert [r.id for r in service.input_data] == ["i_applicant", "i_days"]


def test_dmn11_qname_type_refs_lose_their_prefix() -> None:
    d = read_definitions((DATA / "dmn11.dmn").read_bytes())
    assert d.dmn_version == "1.1"
    assert d.input_data[0].type_ref == "tNames"
    assert d.decisions[0].type_ref == "number"
    assert d.item_definitions[0].is_collection is True


@pytest.mark.parametrize(("uri", "version"), sorted(DMN_NAMESPACES.items()))
def test_every_dmn_version_namespace(uri: str, version: str) -> None:
    xml = f'<definitions xmlns="{uri}" name="v" namespace="urn:v"><decision id="d" name="D"/></definitions>'
    d = read_definitions(xml.encode())
    assert d.dmn_version == version
    assert d.decisions[0].name == "D"


def test_boxed_iterator_and_context() -> None:
    xml = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="b" namespace="urn:b">
      <decision id="d" name="D"><context>
        <contextEntry><variable name="xs"/><literalExpression><text>[1,2]</text></literalExpression></contextEntry>
        <contextEntry><for iteratorVariable="x"><in><literalExpression><text>xs</text></literalExpression></in>
          <return><literalExpression><text>x * 2</text></literalExpression></return></for></contextEntry>
      </context></decision></definitions>"""
    d = read_definitions(xml.encode())
    ctx = d.decisions[0].expression
    assert isinstance(ctx, Context)
    assert ctx.entries[0].variable is not None
    assert ctx.entries[0].variable.name == "xs"
    loop = ctx.entries[1].expression
    assert isinstance(loop, Iterator)
    assert loop.kind == "for"
    assert loop.variable == "x"
    assert isinstance(loop.body, LiteralExpression)
    assert loop.body.text == "x * 2"


def test_not_dmn_is_refused() -> None:
    with pytest.raises(DmnParseError, match="not a DMN document"):
        read_definitions(b'<definitions xmlns="urn:other"/>')


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(DmnParseError, match="malformed XML"):
        read_definitions((DATA / "malformed.dmn").read_bytes())


@pytest.mark.parametrize("name", ["xxe.dmn", "billion-laughs.dmn"])
def test_dtds_are_refused(name: str) -> None:
    with pytest.raises(DmnParseError, match="unsafe XML refused"):
        read_definitions((DATA / name).read_bytes())


def test_size_limit() -> None:
    with pytest.raises(DmnParseError, match="larger than 10 bytes"):
        read_definitions(b"<definitions/>", max_bytes=10)


def test_unknown_hit_policy_names_the_table() -> None:
    xml = """<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="b" namespace="urn:b">
      <decision id="d" name="D"><decisionTable id="t1" hitPolicy="SOMETIMES"/></decision></definitions>"""
    with pytest.raises(DmnParseError, match=r"unknown hit policy 'SOMETIMES' \(element t1\)"):
        read_definitions(xml.encode())
