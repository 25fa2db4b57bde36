"""Draw a discovered process tree as SVG (or an HTML page) from its BPMN diagram.

The picture is the BPMN model that :func:`tree_to_bpmn` writes, drawn from its own BPMNDI
coordinates: what the SVG shows is exactly what bpmn.io will show when the .bpmn is opened.
"""

from __future__ import annotations

import textwrap
from html import escape

from lxml import etree

from civicflow.mining._tree import ProcessTree
from civicflow.mining._tree_bpmn import BPMN, BPMNDI, DC, DI, tree_to_bpmn

__all__ = ["tree_html", "tree_svg"]

_MARGIN = 20


def tree_svg(tree: ProcessTree) -> str:
    """The BPMN model of ``tree`` as a standalone SVG document."""
    root = etree.fromstring(tree_to_bpmn(tree), etree.XMLParser(resolve_entities=False, no_network=True))
    kinds = {el.get("id"): etree.QName(el).localname for el in root.iter(f"{{{BPMN}}}*")}
    names = {el.get("id"): el.get("name") or "" for el in root.iter(f"{{{BPMN}}}*")}
    shapes: list[str] = []
    edges: list[str] = []
    right = bottom = 0.0
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        bounds = shape.find(f"{{{DC}}}Bounds")
        if bounds is None:
            continue
        x, y, w, h = (float(bounds.get(k, "0")) for k in ("x", "y", "width", "height"))
        right, bottom = max(right, x + w), max(bottom, y + h)
        element = str(shape.get("bpmnElement"))
        shapes.append(_shape(kinds.get(element, ""), names.get(element, ""), (x, y, w, h)))
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = [(float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iter(f"{{{DI}}}waypoint")]
        for px, py in points:
            right, bottom = max(right, px), max(bottom, py)
        path = " ".join(f"{px:g},{py:g}" for px, py in points)
        edges.append(f'<polyline class="flow" points="{path}" fill="none" stroke="#444" marker-end="url(#arrow)"/>')
    width, height = right + _MARGIN, bottom + _MARGIN
    return "\n".join(
        [
            (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
                f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="11" role="img">'
            ),
            "<title>Discovered process model</title>",
            (
                '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
                'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
            ),
            *edges,
            *shapes,
            "</svg>",
        ]
    )


def _shape(kind: str, name: str, box: tuple[float, float, float, float]) -> str:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    if kind == "task":
        lines = textwrap.wrap(name, 16)[:4] or [""]
        first = cy - 7 * (len(lines) - 1)
        text = "".join(
            f'<text x="{cx:g}" y="{first + 14 * i + 4:g}" text-anchor="middle">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        return (
            f'<g class="task"><title>{escape(name)}</title><rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" '
            f'rx="10" fill="#fff" stroke="#222" stroke-width="1.5"/>{text}</g>'
        )
    if kind.endswith("Gateway"):
        diamond = f"{cx:g},{y:g} {x + w:g},{cy:g} {cx:g},{y + h:g} {x:g},{cy:g}"
        mark = "+" if kind == "parallelGateway" else "\u00d7"
        return (
            f'<g class="gateway {kind}"><polygon points="{diamond}" fill="#fff" stroke="#222" stroke-width="1.5"/>'
            f'<text x="{cx:g}" y="{cy + 8:g}" text-anchor="middle" font-size="24">{mark}</text></g>'
        )
    stroke = 4 if kind == "endEvent" else 1.5
    return (
        f'<g class="event {kind}"><circle cx="{cx:g}" cy="{cy:g}" r="{w / 2:g}" fill="#fff" stroke="#222" '
        f'stroke-width="{stroke}"/><text x="{cx:g}" y="{y + h + 14:g}" text-anchor="middle">{escape(name)}</text></g>'
    )


def tree_html(tree: ProcessTree, title: str = "Discovered process") -> str:
    """An HTML page with the drawn model and the tree in process-tree notation."""
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        "<style>body{font-family:sans-serif;margin:1em}figure{overflow:auto;margin:0}"
        "pre{white-space:pre-wrap;background:#f3f2f1;padding:1em}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n<figure>{tree_svg(tree)}</figure>\n"
        f"<h2>Process tree</h2>\n<pre>{escape(str(tree))}</pre>\n</body></html>\n"
    )
