"""Boxed expressions, item-definition typing and coercion."""

from __future__ import annotations

from decimal import Decimal

from .helpers import decision, literal, model


def value(body: str, name: str = "D", inputs: dict[str, object] | None = None) -> object:
    return model(body).evaluate(name, inputs or {}).outputs[name]


def test_context_entries_see_earlier_entries_and_final_result() -> None:
    ctx = (
        "<context>"
        f'<contextEntry><variable name="a"/>{literal("2")}</contextEntry>'
        f'<contextEntry><variable name="b"/>{literal("a * 10")}</contextEntry>'
        "</context>"
    )
    assert value(decision("D", ctx)) == {"a": Decimal(2), "b": Decimal(20)}
    with_result = ctx.replace("</context>", f"<contextEntry>{literal('a + b')}</contextEntry></context>")
    assert value(decision("D", with_result)) == Decimal(22)


def test_recursive_function_in_context() -> None:
    ctx = (
        "<context>"
        '<contextEntry><variable name="fact"/><functionDefinition><formalParameter name="n"/>'
        f"{literal('if n &lt;= 1 then 1 else n * fact(n - 1)')}</functionDefinition></contextEntry>"
        f"<contextEntry>{literal('fact(5)')}</contextEntry>"
        "</context>"
    )
    assert value(decision("D", ctx)) == Decimal(120)


def test_invocation_binds_parameters_by_name() -> None:
    bkm = (
        '<businessKnowledgeModel id="b" name="fee"><encapsulatedLogic>'
        '<formalParameter name="base" typeRef="number"/><formalParameter name="rate" typeRef="number"/>'
        f"{literal('base * rate')}</encapsulatedLogic></businessKnowledgeModel>"
    )
    invocation = (
        f"<invocation>{literal('fee')}"
        f'<binding><parameter name="rate"/>{literal("3")}</binding>'
        f'<binding><parameter name="base"/>{literal("7")}</binding></invocation>'
    )
    requires = '<knowledgeRequirement><requiredKnowledge href="#b"/></knowledgeRequirement>'
    assert value(bkm + decision("D", invocation, requires=requires)) == Decimal(21)
    # a BKM can also be invoked directly, its parameters given as inputs
    assert value(bkm, "fee", {"base": 2, "rate": 5}) == Decimal(10)


def test_relation_list_conditional_filter_iterators() -> None:
    relation = (
        '<relation><column name="n"/><column name="sq"/>'
        f"<row>{literal('1')}{literal('1')}</row><row>{literal('2')}{literal('4')}</row></relation>"
    )
    assert value(decision("D", relation)) == [{"n": Decimal(1), "sq": Decimal(1)}, {"n": Decimal(2), "sq": Decimal(4)}]
    assert value(decision("D", f"<list>{literal('1')}{literal('&quot;a&quot;')}</list>")) == [Decimal(1), "a"]
    big, small = literal("&quot;big&quot;"), literal("&quot;small&quot;")
    cond = f"<conditional><if>{literal('x &gt; 3')}</if><then>{big}</then><else>{small}</else></conditional>"
    assert value(decision("D", cond), inputs={"x": 5}) == "big"
    assert value(decision("D", cond), inputs={"x": 1}) == "small"
    filt = f"<filter><in>{literal('[{a: 1}, {a: 5}, {a: 9}]')}</in><match>{literal('a &gt; 2')}</match></filter>"
    assert value(decision("D", filt)) == [{"a": Decimal(5)}, {"a": Decimal(9)}]
    loop = f'<for iteratorVariable="i"><in>{literal("[1, 2, 3]")}</in><return>{literal("i * i")}</return></for>'
    assert value(decision("D", loop)) == [Decimal(1), Decimal(4), Decimal(9)]
    some = f'<some iteratorVariable="i"><in>{literal("[1, 2]")}</in><satisfies>{literal("i &gt; 1")}</satisfies></some>'
    assert value(decision("D", some)) is True
    every = some.replace("some", "every")
    assert value(decision("D", every)) is False


TYPES = """
<itemDefinition name="tLevel"><typeRef>string</typeRef>
  <allowedValues><text>"low", "high"</text></allowedValues></itemDefinition>
<itemDefinition name="tPerson">
  <itemComponent name="name"><typeRef>string</typeRef></itemComponent>
  <itemComponent name="age"><typeRef>number</typeRef></itemComponent>
</itemDefinition>
<itemDefinition name="tNumbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>
"""


def test_decision_result_is_checked_against_its_type() -> None:
    m = model(TYPES + decision("D", literal("level"), type_ref="tLevel"))
    assert m.evaluate("D", {"level": "low"}).outputs["D"] == "low"
    bad = m.evaluate("D", {"level": "medium"})
    assert bad.outputs["D"] is None
    assert "does not conform to type 'tLevel'" in bad.warnings[0].message


def test_singleton_list_conversions() -> None:
    unwrap = model(TYPES + decision("D", literal('["low"]'), type_ref="tLevel"))
    assert unwrap.evaluate("D").outputs["D"] == "low"
    wrap = model(TYPES + decision("D", literal("7"), type_ref="tNumbers"))
    assert wrap.evaluate("D").outputs["D"] == [Decimal(7)]


def test_structures_need_every_component() -> None:
    m = model(TYPES + decision("D", literal("p"), type_ref="tPerson"))
    assert m.evaluate("D", {"p": {"name": "Ann", "age": 40, "extra": 1}}).outputs["D"] == {
        "name": "Ann",
        "age": Decimal(40),
        "extra": Decimal(1),
    }
    assert m.evaluate("D", {"p": {"name": "Ann"}}).outputs["D"] is None
    assert m.evaluate("D", {"p": {"name": "Ann", "age": "forty"}}).outputs["D"] is None


def test_instance_of_item_definition() -> None:
    m = model(TYPES + decision("D", literal("p instance of tPerson")))
    assert m.evaluate("D", {"p": {"name": "Ann", "age": 40}}).outputs["D"] is True
    assert m.evaluate("D", {"p": {"name": "Ann"}}).outputs["D"] is False


def test_java_function_is_emulated_for_java_lang_math() -> None:
    ctx = (
        '<context><contextEntry><variable name="mx"/><functionDefinition kind="Java">'
        '<formalParameter name="a" typeRef="number"/><formalParameter name="b" typeRef="number"/><context>'
        f'<contextEntry><variable name="class"/>{literal("&quot;java.lang.Math&quot;")}</contextEntry>'
        f'<contextEntry><variable name="method signature"/>{literal("&quot;max(double, double)&quot;")}</contextEntry>'
        f"</context></functionDefinition></contextEntry><contextEntry>{literal('mx(3, 8.5)')}</contextEntry></context>"
    )
    assert value(decision("D", ctx)) == Decimal("8.5")


def test_unsupported_expression_language_is_null_with_warning() -> None:
    body = decision("D", '<literalExpression expressionLanguage="python"><text>1+1</text></literalExpression>')
    result = model(body).evaluate("D")
    assert result.outputs["D"] is None
    assert "expression language" in result.warnings[0].message


def test_feel_syntax_error_in_a_model_is_null_with_warning() -> None:
    result = model(decision("D", literal("1 +"))).evaluate("D")
    assert result.outputs["D"] is None
    assert result.warnings[0].kind == "syntax"
