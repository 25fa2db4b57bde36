"""CSV and XLSX downloads of a service's figures: KPIs, stages, departments and the trend.

Values are raw (durations in seconds, ratios as fractions 0-1, costs in minor units) so a
spreadsheet can compute with them. Text cells that a spreadsheet would run as a formula are
prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpResponse

from civicflow.kpi import AGEING_BUCKETS, DurationStats
from civicflow.web.kpis import KpiFigures
from civicflow.workbench._kpi_format import headline

__all__ = ["Table", "csv_response", "tables", "xlsx_response"]

Cell = str | int | float | None
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_PERCENTILES = ("p50", "p90", "p95")


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    name: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _safe(cell: Cell) -> Cell:
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA) else cell


def _durations(stats: DurationStats) -> tuple[float | None, ...]:
    return (*stats.calendar, *stats.working)


def _duration_columns() -> tuple[str, ...]:
    return tuple(f"{kind}_{p}_seconds" for kind in ("calendar", "working") for p in _PERCENTILES)


def tables(figures: KpiFigures, history: Sequence[KpiFigures]) -> list[Table]:
    """The four tables of one period's ``figures`` and the trend ``history`` (oldest first)."""
    kpis = figures.kpis
    label = kpis.period.label
    ageing = (*(f"open_tasks_up_to_{b}_days" for b in AGEING_BUCKETS), f"open_tasks_over_{AGEING_BUCKETS[-1]}_days")
    empty = (0,) * len(ageing)
    return [
        Table(
            name="kpis",
            header=("period", "metric", "label", "value"),
            rows=[(label, m.key, m.label, m.value) for m in headline(kpis)],
        ),
        Table(
            name="stages",
            header=(
                "period",
                "element",
                "stage",
                "target_seconds",
                "completed",
                "sla",
                *_duration_columns(),
                "open_breaching",
            ),
            rows=[
                (
                    label,
                    s.element,
                    s.label,
                    s.target_seconds,
                    s.completed,
                    s.sla.value,
                    *_durations(s.durations),
                    s.open_breaching,
                )
                for s in kpis.stages
            ],
        ),
        Table(
            name="departments",
            header=("period", "department", "tasks_completed", "tasks_open", *ageing),
            rows=[
                (
                    label,
                    d.department,
                    d.tasks_completed,
                    d.tasks_open,
                    *figures.department_ageing.get(d.department, empty),
                )
                for d in kpis.departments
            ],
        ),
        Table(
            name="trend",
            header=("period", "started", "completed", "backlog", "processing_calendar_p90_seconds", "sla", "csat"),
            rows=[
                (
                    item.kpis.period.label,
                    item.kpis.started,
                    item.kpis.completed,
                    item.kpis.backlog,
                    item.kpis.processing.calendar[1],
                    item.kpis.sla.value,
                    item.kpis.csat.value,
                )
                for item in history
            ],
        ),
    ]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(parts: list[Table], filename: str) -> HttpResponse:
    """One long table: section, period, item, metric, value (a row per figure)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("section", "period", "item", "metric", "value"))
    for table in parts:
        keyed = table.name in {"stages", "departments"}  # their second column names the item
        first_value = 2 if keyed else 1
        for row in table.rows:
            item = row[1] if keyed else ""
            if table.name == "kpis":
                writer.writerow([_safe(c) for c in (table.name, row[0], "", row[1], row[3])])
                continue
            for column, value in zip(table.header[first_value:], row[first_value:], strict=True):
                writer.writerow([_safe(c) for c in (table.name, row[0], item, column, value)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def xlsx_response(parts: list[Table], filename: str) -> HttpResponse:
    """A workbook with one sheet per table, header in the first row."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # openpyxl ships no type hints

    book = Workbook(write_only=True)
    for table in parts:
        sheet = book.create_sheet(title=table.name)
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([_safe(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(response, filename)
