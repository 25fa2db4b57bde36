"""The KPI report laid out as text tables (the figures come from civicflow.web.kpis)."""

from __future__ import annotations

from collections.abc import Sequence

from civicflow.kpi import (
    AGEING_BUCKETS,
    Ratio,
    ServiceKpis,
)

__all__ = ["render"]


def _pct(ratio: Ratio) -> str:
    value = ratio.value
    return "-" if value is None else f"{100 * value:.1f}% ({ratio.numerator}/{ratio.denominator})"


def _days(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 86400:.1f} d"


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _service(kpis: ServiceKpis) -> list[str]:
    p = kpis.processing
    cost = (
        "not configured"
        if kpis.cost_per_transaction is None
        else f"{kpis.cost_per_transaction / 100:.2f} {kpis.currency}"
    )
    bounds = [f"<={days}d" for days in AGEING_BUCKETS] + [f">{AGEING_BUCKETS[-1]}d"]
    rows = [
        ("Started", str(kpis.started)),
        ("Completed", str(kpis.completed)),
        ("Terminated", str(kpis.terminated)),
        ("Processing time p50/p90/p95", " / ".join(map(_days, p.calendar))),
        ("  in working time", " / ".join(map(_hours, p.working))),
        ("Within processing target", _pct(kpis.sla)),
        ("Backlog (open cases)", str(kpis.backlog)),
        ("Ageing", ", ".join(f"{b}: {n}" for b, n in zip(bounds, kpis.ageing, strict=True))),
        ("Oldest open case", _days(None if kpis.oldest_open_days is None else kpis.oldest_open_days * 86400)),
        ("Incidents raised", str(kpis.incidents_raised)),
        ("Cases with an incident", _pct(kpis.incident_rate)),
        ("Rework rate", _pct(kpis.rework_rate)),
        ("First time right", _pct(kpis.first_time_right)),
        ("Completion rate", _pct(kpis.completion_rate)),
        ("Abandoned drafts", _pct(kpis.abandonment)),
        ("Digital take-up", _pct(kpis.digital_take_up)),
        ("Satisfaction (CSAT)", _pct(kpis.csat)),
        ("Cost per transaction", cost),
    ]
    lines = [f"{kpis.service}: {kpis.period.label} (as of {kpis.as_of:%Y-%m-%d %H:%M} UTC)", ""]
    lines += _table(("KPI", "Value"), rows)
    stage_rows = [
        (
            s.label,
            _days(s.target_seconds),
            str(s.completed),
            " / ".join(map(_days, s.durations.calendar)),
            " / ".join(map(_hours, s.durations.working)),
            _pct(s.sla),
            str(s.open_breaching),
        )
        for s in kpis.stages
    ]
    header = ("Stage", "Target", "Done", "p50/p90/p95", "Working p50/p90/p95", "Within target", "Open, past target")
    lines += ["", *_table(header, stage_rows)]
    if kpis.departments:
        dept_rows = [(d.department or "(none)", str(d.tasks_completed), str(d.tasks_open)) for d in kpis.departments]
        lines += ["", *_table(("Department", "Tasks completed", "Tasks open"), dept_rows)]
    return lines


def render(results: Sequence[ServiceKpis]) -> str:
    """The report as plain text: per service a KPI table, a stage table and a department table."""
    return "\n\n".join("\n".join(_service(kpis)) for kpis in results)
