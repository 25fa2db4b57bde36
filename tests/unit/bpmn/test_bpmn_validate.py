"""civicflow.bpmn.validate: stable codes, severities, element ids and lines."""

from __future__ import annotations

import pytest

from civicflow.bpmn import CODES, Diagnostic, Severity, load, validate

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
    ' xmlns:v="urn:vendor" id="d" targetNamespace="t">'
)


def check(body: str, *, executable: bool = True, roots: str = "") -> list[Diagnostic]:
    process = f'<process id="p" isExecutable="{str(executable).lower()}">{body}</process>'
    return validate(load(f"{HEAD}{roots}{process}</definitions>".encode()))


def found(diagnostics: list[Diagnostic]) -> set[tuple[str, str | None]]:
    return {(d.code, d.element_id) for d in diagnostics}


CLEAN = """
<startEvent id="s" />
<sequenceFlow id="f1" sourceRef="s" targetRef="g" />
<exclusiveGateway id="g" default="f3" />
<sequenceFlow id="f2" sourceRef="g" targetRef="e"><conditionExpression>= x &gt; 1</conditionExpression></sequenceFlow>
<sequenceFlow id="f3" sourceRef="g" targetRef="e" />
<endEvent id="e" />
"""


def test_a_clean_model_has_no_diagnostics() -> None:
    assert check(CLEAN) == []


def test_gateway_flow_without_condition_and_not_default() -> None:
    body = CLEAN.replace(' default="f3"', "")
    diagnostics = check(body)
    assert found(diagnostics) == {("BPMN006", "f3")}
    (d,) = diagnostics
    assert d.severity is Severity.ERROR
    assert d.line == 6  # CLEAN starts with a newline: f3 is on its sixth line
    assert "exclusiveGateway 'g'" in d.message


def test_default_must_be_an_outgoing_flow() -> None:
    assert ("BPMN007", "g") in found(check(CLEAN.replace('default="f3"', 'default="f1"')))


def test_duplicate_ids_and_missing_flow_ends() -> None:
    body = CLEAN + '<task id="e" /><sequenceFlow id="f9" sourceRef="s" targetRef="nowhere" />'
    result = found(check(body))
    assert ("BPMN001", "e") in result
    assert ("BPMN002", "f9") in result


def test_unreachable_and_missing_start() -> None:
    lonely = '<task id="lonely"/><sequenceFlow id="x" sourceRef="lonely" targetRef="e"/>'
    assert ("BPMN005", "lonely") in found(check(CLEAN + lonely))
    assert ("BPMN004", "p") in found(check('<task id="t" />'))
    assert ("BPMN004", "p") not in found(check('<task id="t" />', executable=False))


def test_boundary_events() -> None:
    body = CLEAN + (
        '<boundaryEvent id="b1" attachedToRef="missing"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        '<boundaryEvent id="b2" attachedToRef="g" />'
    )
    result = found(check(body))
    assert {("BPMN003", "b1"), ("BPMN003", "b2"), ("BPMN022", "b2")} <= result


@pytest.mark.parametrize(
    ("timer", "code"),
    [
        ("<timeDuration>PT1H</timeDuration>", None),
        ("<timeDuration>1 hour</timeDuration>", "BPMN012"),
        ("<timeDate>2026-02-30T10:00:00Z</timeDate>", "BPMN012"),
        ("<timeCycle>R3/2026-01-05T09:00:00Z/P1D</timeCycle>", None),
        ("<timeCycle>R3/PT</timeCycle>", "BPMN012"),
        ("<timeCycle>=cycle(duration(&quot;PT1H&quot;))</timeCycle>", None),
        ("<timeDuration>= duration(</timeDuration>", "BPMN011"),
        ("<timeDuration>${delay}</timeDuration>", "BPMN020"),
        ("", "BPMN012"),
    ],
)
def test_timers(timer: str, code: str | None) -> None:
    body = (
        '<startEvent id="s"><timerEventDefinition id="td">' + timer + "</timerEventDefinition></startEvent>"
        '<sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'
    )
    codes = {d.code for d in check(body)}
    assert codes == (set() if code is None else {code})
    if code is not None:
        # The definition has an id here; without one the owning event's id is reported.
        assert next(d for d in check(body) if d.code == code).element_id == "td"


def test_event_definition_without_id_is_reported_by_its_event() -> None:
    body = (
        '<startEvent id="s"><timerEventDefinition><timeDuration>soon</timeDuration>'
        "</timerEventDefinition></startEvent>"
        '<sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'
    )
    assert found(check(body)) == {("BPMN012", "s")}


def test_feel_syntax_errors_in_conditions() -> None:
    body = CLEAN.replace("= x &gt; 1", "= x &gt;")
    (d,) = check(body)
    assert (d.code, d.element_id) == ("BPMN011", "f2")


def test_juel_and_scripts_are_flagged_as_not_feel() -> None:
    body = CLEAN.replace("= x &gt; 1", "${x &gt; 1}") + (
        '<scriptTask id="js" scriptFormat="javascript"><script>x = 1</script></scriptTask>'
        '<scriptTask id="fs" scriptFormat="feel"><script>1 +</script></scriptTask>'
    )
    result = found(check(body, executable=False))
    assert {("BPMN020", "f2"), ("BPMN021", "js"), ("BPMN011", "fs")} <= result


def test_implementations_in_executable_processes() -> None:
    body = (
        '<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="c"/><callActivity id="c"/>'
        '<sequenceFlow id="f2" sourceRef="c" targetRef="r"/><businessRuleTask id="r"/>'
        '<sequenceFlow id="f3" sourceRef="r" targetRef="w"/><serviceTask id="w"/>'
        '<sequenceFlow id="f4" sourceRef="w" targetRef="ok"/><serviceTask id="ok">'
        '<extensionElements><zeebe:taskDefinition type="lookup"/></extensionElements></serviceTask>'
    )
    result = check(body)
    assert found(result) == {("BPMN008", "c"), ("BPMN009", "r"), ("BPMN010", "w")}
    assert next(d for d in result if d.code == "BPMN010").severity is Severity.WARNING
    assert check(body, executable=False) == []


def test_links_and_event_based_gateways() -> None:
    body = (
        '<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="gw"/>'
        '<eventBasedGateway id="gw"/>'
        '<sequenceFlow id="f2" sourceRef="gw" targetRef="m"/>'
        '<intermediateCatchEvent id="m"><messageEventDefinition messageRef="Msg"/></intermediateCatchEvent>'
        '<sequenceFlow id="f3" sourceRef="gw" targetRef="t"/><task id="t"/>'
        '<sequenceFlow id="f4" sourceRef="m" targetRef="lt"/>'
        '<intermediateThrowEvent id="lt"><linkEventDefinition name="A"/></intermediateThrowEvent>'
        '<sequenceFlow id="f5" sourceRef="t" targetRef="lt2"/>'
        '<intermediateThrowEvent id="lt2"><linkEventDefinition name="B"/></intermediateThrowEvent>'
        '<intermediateCatchEvent id="lc"><linkEventDefinition name="A"/></intermediateCatchEvent>'
        '<sequenceFlow id="f6" sourceRef="lc" targetRef="e"/><endEvent id="e"/>'
    )
    result = found(check(body, roots='<message id="Msg" name="M"/>'))
    assert result == {("BPMN014", "t"), ("BPMN013", "lt2")}


def test_unresolved_root_references() -> None:
    body = (
        '<startEvent id="s"><messageEventDefinition messageRef="nope"/></startEvent>'
        '<sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
        '<endEvent id="e"><signalEventDefinition signalRef="nope2"/></endEvent>'
    )
    assert found(check(body)) == {("BPMN015", "s"), ("BPMN016", "e")}


def test_unknown_extensions_warn() -> None:
    body = CLEAN.replace(
        '<endEvent id="e" />',
        '<endEvent id="e" camunda:mystery="1" v:colour="red"><extensionElements>'
        "<zeebe:unheardOf/><v:meta/></extensionElements></endEvent>",
    )
    result = check(body)
    assert found(result) == {("BPMN100", "e"), ("BPMN101", "d")}
    by_code = {d.code: d for d in result}
    assert by_code["BPMN100"].message == "extension kept but not interpreted: camunda:mystery, zeebe:unheardOf"
    assert "2 extension item(s) in namespace 'urn:vendor'" in by_code["BPMN101"].message


def test_every_code_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "bpmn-elements.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| {code} |" not in doc]
    assert missing == []
