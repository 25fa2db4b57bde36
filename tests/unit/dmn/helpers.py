"""Build small DMN 1.5 documents in tests."""

from __future__ import annotations

from civicflow.dmn import DmnModel, load

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def model(body: str, *, namespace: str = "urn:test", name: str = "test") -> DmnModel:
    xml = f'<definitions xmlns="{NS}" name="{name}" namespace="{namespace}" id="defs">{body}</definitions>'
    return load(xml.encode())


def table(
    hit_policy: str,
    inputs: list[str],
    outputs: list[str],
    rules: list[tuple[list[str], list[str]]],
    *,
    aggregation: str = "",
    output_values: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
    input_values: dict[str, str] | None = None,
) -> str:
    """A decision table; ``outputs`` are names (a single output may be named "")."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    parts = [f'<decisionTable id="dt" hitPolicy="{hit_policy}"{agg}>']
    for expr in inputs:
        values = (input_values or {}).get(expr)
        iv = f"<inputValues><text>{values}</text></inputValues>" if values else ""
        parts.append(f'<input label="{expr}"><inputExpression><text>{expr}</text></inputExpression>{iv}</input>')
    for out in outputs:
        ov = (output_values or {}).get(out)
        dv = (defaults or {}).get(out)
        inner = (f"<outputValues><text>{ov}</text></outputValues>" if ov else "") + (
            f"<defaultOutputEntry><text>{dv}</text></defaultOutputEntry>" if dv else ""
        )
        name_attr = f' name="{out}"' if out else ""
        parts.append(f"<output{name_attr}>{inner}</output>")
    for n, (ins, outs) in enumerate(rules, 1):
        cells = "".join(f"<inputEntry><text>{t}</text></inputEntry>" for t in ins)
        cells += "".join(f"<outputEntry><text>{t}</text></outputEntry>" for t in outs)
        parts.append(f'<rule id="r{n}">{cells}</rule>')
    parts.append("</decisionTable>")
    return "".join(parts)


def decision(name: str, expression: str, *, type_ref: str = "", requires: str = "") -> str:
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return f'<decision id="{name}" name="{name}"><variable name="{name}"{typed}/>{requires}{expression}</decision>'


def literal(text: str) -> str:
    return f"<literalExpression><text>{text}</text></literalExpression>"
