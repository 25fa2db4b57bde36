"""A pilot's comparison as the dashboard's rows: each measure's two estimates with their 95%
intervals, the test, its p-value and a plain statement of what the difference means so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civicflow.kpi import Interval, Measure, MeasureComparison, VersionComparison
from civicflow.web.charts import bar_chart
from civicflow.workbench.views._assess import span

__all__ = ["Row", "p_text", "rates_chart", "rows", "statement"]

# The reasons civicflow.kpi gives when a test cannot say anything yet: listed so they are
# translated (the dashboard shows them in the statement).
_NOTES = (
    gettext_noop("needs at least 5 finished cases per version"),
    gettext_noop("needs at least 5 expected successes and failures per version"),
    gettext_noop("no cases in one version"),
    gettext_noop("all values equal"),
)
_RATES = (Measure.SLA, Measure.REWORK, Measure.INCIDENTS, Measure.SATISFACTION)


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    measure: str  # the Measure's value, stable for tests
    label: str
    current: str
    current_interval: str
    candidate: str
    candidate_interval: str
    counts: tuple[int, int]
    test: str
    p_value: str
    statement: str
    significant: bool


def _labels() -> dict[Measure, str]:
    return {
        Measure.PROCESSING: _("Processing time (working time, median)"),
        Measure.SLA: _("Within the processing-time target"),
        Measure.REWORK: _("Cases with rework"),
        Measure.INCIDENTS: _("Cases with an incident"),
        Measure.SATISFACTION: _("Satisfied applicants (4 or 5 out of 5)"),
        Measure.COST: _("Cost per case (median)"),
    }


def _value(measure: Measure, value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    if measure is Measure.PROCESSING:
        return span(value)
    if measure is Measure.COST:
        return f"{currency} {number_format(value / 100, 2)}"
    return f"{number_format(100 * value, 1)}%"


def _interval(measure: Measure, interval: Interval, currency: str) -> str:
    if interval.low is None or interval.high is None:
        return _("no interval yet")
    return _("95%% interval %(low)s to %(high)s") % {
        "low": _value(measure, interval.low, currency),
        "high": _value(measure, interval.high, currency),
    }


def p_text(p_value: float | None) -> str:
    """``p = 0.003``, ``p = 0.41``, ``p < 0.001``; a dash when the test could not be done."""
    if p_value is None:
        return "–"
    if p_value < 0.001:
        return f"p < {number_format(0.001, 3)}"
    places = 3 if p_value < 0.01 else 2
    return f"p = {number_format(round(p_value, places), places)}"


def statement(found: MeasureComparison) -> str:
    """What the difference means so far, in one sentence."""
    test = found.test
    if test.p_value is None:
        why = _(test.note) if test.note else _("no test yet")
        return _("Not enough finished cases yet (%(why)s).") % {"why": why}
    p = p_text(test.p_value)
    if not test.significant:
        return _("No significant difference yet (%(p)s).") % {"p": p}
    better = found.candidate_better
    if better is None:
        return _("The versions differ (significant, %(p)s).") % {"p": p}
    if better:
        return _("The candidate is better (significant, %(p)s).") % {"p": p}
    return _("The candidate is worse (significant, %(p)s).") % {"p": p}


def rows(comparison: VersionComparison) -> list[Row]:
    labels = _labels()
    currency = comparison.current.currency
    return [
        Row(
            measure=str(found.measure),
            label=labels[found.measure],
            current=_value(found.measure, found.current.estimate, currency),
            current_interval=_interval(found.measure, found.current, currency),
            candidate=_value(found.measure, found.candidate.estimate, currency),
            candidate_interval=_interval(found.measure, found.candidate, currency),
            counts=found.counts,
            test=found.test.test,
            p_value=p_text(found.test.p_value),
            statement=statement(found),
            significant=found.test.significant,
        )
        for found in comparison.measures
    ]


def rates_chart(comparison: VersionComparison) -> dict[str, Any]:
    """Bars of the rates (percent) of both versions: bar 1 the current version, bar 2 the candidate."""
    short = {
        Measure.SLA: _("On time"),
        Measure.REWORK: _("Rework"),
        Measure.INCIDENTS: _("Incidents"),
        Measure.SATISFACTION: _("Satisfied"),
    }
    points: list[tuple[str, float | None]] = []
    for found in comparison.measures:
        if found.measure in _RATES:
            for mark, interval in (("1", found.current), ("2", found.candidate)):
                value = None if interval.estimate is None else 100 * interval.estimate
                points.append((f"{short[found.measure][:10]} ·{mark}", value))
    return {"svg": bar_chart(points, top_label="100%", ceiling=100.0)}
