"""Render a directly-follows graph as SVG, or as HTML with the edge table beside it.

No Graphviz: activities are placed in layers by their shortest distance from a start activity,
ordered within a layer by frequency; forward edges are drawn as curves between layers, edges to
the same or an earlier layer as arcs to the side.
"""

from __future__ import annotations

from enum import StrEnum
from html import escape

import polars as pl

from civicflow.mining._dfg import DirectlyFollowsGraph

__all__ = ["DfgView", "dfg_html", "dfg_svg", "format_seconds"]

_W, _H, _GAP_X, _GAP_Y, _MARGIN = 180, 44, 60, 80, 40


class DfgView(StrEnum):
    """Which figure labels the edges."""

    FREQUENCY = "frequency"
    PERFORMANCE = "performance"


def format_seconds(value: float | None) -> str:
    """A duration in the largest fitting unit: ``45s``, ``12m``, ``3.5h``, ``2.1d``."""
    if value is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}s"


def _layers(dfg: DirectlyFollowsGraph) -> dict[str, int]:
    successors: dict[str, list[str]] = {a: [] for a in dfg.activities}
    for source, target in dfg.frequencies():
        successors.setdefault(source, []).append(target)
    layer = dict.fromkeys(dfg.start_activities, 0)
    frontier = list(dfg.start_activities)
    while frontier:
        nxt = []
        for node in frontier:
            for succ in successors.get(node, []):
                if succ not in layer:
                    layer[succ] = layer[node] + 1
                    nxt.append(succ)
        frontier = nxt
    last = max(layer.values(), default=-1) + 1
    for activity in dfg.activities:
        layer.setdefault(activity, last)
    return layer


def _positions(dfg: DirectlyFollowsGraph) -> dict[str, tuple[float, float]]:
    layer = _layers(dfg)
    rows: dict[int, list[str]] = {}
    for activity in sorted(dfg.activities, key=lambda a: (-dfg.activities[a], a)):
        rows.setdefault(layer[activity], []).append(activity)
    widest = max((len(r) for r in rows.values()), default=1)
    total = widest * (_W + _GAP_X)
    places: dict[str, tuple[float, float]] = {}
    for depth, members in rows.items():
        offset = (total - len(members) * (_W + _GAP_X)) / 2
        for i, activity in enumerate(members):
            places[activity] = (_MARGIN + offset + i * (_W + _GAP_X), _MARGIN + depth * (_H + _GAP_Y))
    return places


def dfg_svg(dfg: DirectlyFollowsGraph, view: DfgView = DfgView.FREQUENCY) -> str:
    """The graph as a standalone SVG document."""
    places = _positions(dfg)
    width = max((x for x, _ in places.values()), default=0) + _W + 2 * _MARGIN
    height = max((y for _, y in places.values()), default=0) + _H + 2 * _MARGIN
    top = max(int(dfg.edges.select(pl.col("frequency").max()).item() or 1), 1)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">'
        ),
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        ),
    ]
    parts.extend(_edge(edge, places, top, view) for edge in dfg.edges.iter_rows(named=True))
    for activity, (x, y) in places.items():
        start = ' stroke-width="3"' if activity in dfg.start_activities else ""
        parts.append(
            f'<g class="activity"><rect x="{x:.0f}" y="{y:.0f}" width="{_W}" height="{_H}" rx="8" '
            f'fill="#e8f0fe" stroke="#1a73e8"{start}/>'
            f'<text x="{x + _W / 2:.0f}" y="{y + 18:.0f}" text-anchor="middle">{escape(activity[:28])}</text>'
            f'<text x="{x + _W / 2:.0f}" y="{y + 35:.0f}" text-anchor="middle" fill="#555">'
            f"{dfg.activities[activity]}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _edge(edge: dict[str, object], places: dict[str, tuple[float, float]], top: int, view: DfgView) -> str:
    (sx, sy), (tx, ty) = places[str(edge["source"])], places[str(edge["target"])]
    frequency = int(str(edge["frequency"]))
    stroke = 1 + 5 * frequency / top
    label = str(frequency) if view is DfgView.FREQUENCY else format_seconds(_float(edge["median"]))
    if edge["source"] == edge["target"]:
        x, y = sx + _W, sy + _H / 2
        path = f"M{x:.0f},{y - 8:.0f} C{x + 40:.0f},{y - 30:.0f} {x + 40:.0f},{y + 30:.0f} {x:.0f},{y + 8:.0f}"
        lx, ly = x + 34, y
    elif ty > sy:
        x1, y1, x2, y2 = sx + _W / 2, sy + _H, tx + _W / 2, ty
        mid = (y1 + y2) / 2
        path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2 + 4, mid
    else:
        x1, y1, x2, y2 = sx, sy + _H / 2, tx, ty + _H / 2
        bend = min(x1, x2) - 50 - abs(y1 - y2) / 6
        path = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = bend + 10, (y1 + y2) / 2
    title = f"{edge['source']} -> {edge['target']}: {frequency}, median {format_seconds(_float(edge['median']))}"
    return (
        f'<g class="edge"><title>{escape(title)}</title><path d="{path}" fill="none" stroke="#555" '
        f'stroke-width="{stroke:.1f}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.0f}" y="{ly:.0f}" fill="#222">{escape(label)}</text></g>'
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def dfg_html(dfg: DirectlyFollowsGraph, view: DfgView = DfgView.FREQUENCY, title: str = "Process map") -> str:
    """An HTML page: the SVG graph with the edge table (frequency, mean, median, p90) beside it."""
    rows = "\n".join(
        f"<tr><td>{escape(str(e['source']))}</td><td>{escape(str(e['target']))}</td><td>{e['frequency']}</td>"
        + "".join(f"<td>{format_seconds(_float(e[k]))}</td>" for k in ("mean", "median", "p90"))
        + "</tr>"
        for e in dfg.edges.iter_rows(named=True)
    )
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        "<style>body{font-family:sans-serif;display:flex;gap:2em;align-items:flex-start}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        "td:nth-child(n+3){text-align:right}</style></head><body>\n"
        f"<figure>{dfg_svg(dfg, view)}</figure>\n"
        "<table><thead><tr><th>from</th><th>to</th><th>cases</th><th>mean</th><th>median</th><th>p90</th>"
        f"</tr></thead><tbody>\n{rows}\n</tbody></table>\n</body></html>\n"
    )
