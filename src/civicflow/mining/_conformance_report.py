"""A conformance report: token replay and alignment figures together, as data, SVG or HTML.

The SVG is a bar chart of the deviation points (log moves and model moves per activity), the
HTML page adds the figures and the least fitting variants with their alignments. Both are plain
text built here: no JavaScript, no external assets, every label escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from civicflow.mining._alignments import AlignmentResult, MoveKind, VariantAlignment
from civicflow.mining._token_replay import TokenReplayResult

__all__ = ["ConformanceReport", "DeviationRow", "conformance_html", "conformance_report", "deviations_svg"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviationRow:
    """Cases-weighted deviations of one activity (log moves: in the log, not the model, at that point)."""

    activity: str
    log_moves: int
    model_moves: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConformanceReport:
    model: str
    cases: int
    variants: int
    replay_fitness: float
    precision: float
    replay_fitting_share: float
    alignment_fitness: float
    average_fitness: float
    fitting_share: float
    not_aligned: int
    deviations: tuple[DeviationRow, ...]


def conformance_report(model: str, replay: TokenReplayResult, alignment: AlignmentResult) -> ConformanceReport:
    """Combine both results; deviations sorted by total moves, then activity."""
    rows = sorted(
        (
            DeviationRow(activity=label, log_moves=point.log_moves, model_moves=point.model_moves)
            for label, point in alignment.deviation_points.items()
        ),
        key=lambda row: (-(row.log_moves + row.model_moves), row.activity),
    )
    return ConformanceReport(
        model=model,
        cases=sum(v.count for v in replay.variants),
        variants=len(replay.variants),
        replay_fitness=replay.fitness,
        precision=replay.precision,
        replay_fitting_share=replay.fitting_traces_share,
        alignment_fitness=alignment.log_fitness,
        average_fitness=alignment.average_fitness,
        fitting_share=alignment.fitting_traces_share,
        not_aligned=alignment.not_aligned,
        deviations=tuple(rows),
    )


def deviations_svg(report: ConformanceReport, *, top: int = 20) -> str:
    """Horizontal bars per activity: log moves (orange, hatched) and model moves (blue, solid)."""
    rows = report.deviations[:top]
    bar, gap, label_width, chart_width = 14, 10, 260, 420
    height = 40 + len(rows) * (2 * bar + gap)
    largest = max((max(r.log_moves, r.model_moves) for r in rows), default=1) or 1
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + chart_width + 80}" height="{height}" '
            f'role="img" aria-labelledby="title"><title id="title">Deviations per activity: {escape(report.model)}'
            "</title>"
        ),
        (
            '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f47738"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#0b0c0c" stroke-width="1.5"/></pattern></defs>'
        ),
        '<text x="0" y="16" font-family="sans-serif" font-size="14">log moves (hatched) and model moves (solid)</text>',
    ]
    y = 32
    for row in rows:
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar + 4}" text-anchor="end" font-family="sans-serif" '
            f'font-size="13">{escape(row.activity[:40])}</text>'
        )
        for value, fill, dy in ((row.log_moves, "url(#hatch)", 0), (row.model_moves, "#1d70b8", bar)):
            width = round(chart_width * value / largest)
            parts.append(f'<rect x="{label_width}" y="{y + dy}" width="{width}" height="{bar - 1}" fill="{fill}"/>')
            parts.append(
                f'<text x="{label_width + width + 6}" y="{y + dy + bar - 3}" font-family="sans-serif" '
                f'font-size="12">{value}</text>'
            )
        y += 2 * bar + gap
    parts.append("</svg>")
    return "".join(parts)


def _alignment_row(variant: VariantAlignment) -> str:
    cells = []
    for move in variant.moves:
        if move.label is None:
            continue  # silent steps say nothing to a reader
        kind = {MoveKind.SYNC: "sync", MoveKind.LOG: "log only", MoveKind.MODEL: "model only"}[move.kind]
        cells.append(f'<li class="{move.kind.value}">{escape(move.label)} <small>({kind})</small></li>')
    return (
        f"<tr><td>{variant.count}</td><td>{variant.fitness:.3f}</td><td>{variant.deviations}</td>"
        f"<td><ol>{''.join(cells)}</ol></td></tr>"
    )


def conformance_html(report: ConformanceReport, alignment: AlignmentResult, *, top: int = 10) -> str:
    """A standalone page: the figures, the deviation chart and the least fitting variants."""
    worst = sorted(
        (v for v in alignment.variants if v.aligned and v.deviations),
        key=lambda v: (-v.deviations * v.count, v.activities),
    )[:top]
    figures = [
        ("Cases", f"{report.cases}"),
        ("Variants", f"{report.variants}"),
        ("Token replay fitness", f"{report.replay_fitness:.4f}"),
        ("Token replay precision", f"{report.precision:.4f}"),
        ("Alignment fitness", f"{report.alignment_fitness:.4f}"),
        ("Average trace fitness", f"{report.average_fitness:.4f}"),
        ("Fitting cases", f"{report.fitting_share:.1%}"),
        ("Variants not aligned (state limit)", f"{report.not_aligned}"),
    ]
    rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in figures)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Conformance: {escape(report.model)}</title>"
        "<style>body{font-family:sans-serif;margin:2rem;color:#0b0c0c}table{border-collapse:collapse}"
        "th,td{text-align:left;padding:.3rem .8rem;border-bottom:1px solid #b1b4b6;vertical-align:top}"
        "ol{margin:0;padding-left:1.2rem}.log{color:#a33a00}.model{color:#1d70b8}</style></head><body>"
        f"<h1>Conformance: {escape(report.model)}</h1><table>{rows}</table>"
        f"<h2>Deviations per activity</h2>{deviations_svg(report)}"
        "<h2>Least fitting variants</h2><table><thead><tr><th scope='col'>Cases</th><th scope='col'>Fitness</th>"
        "<th scope='col'>Deviations</th><th scope='col'>Alignment</th></tr></thead><tbody>"
        f"{''.join(_alignment_row(v) for v in worst)}</tbody></table></body></html>"
    )
