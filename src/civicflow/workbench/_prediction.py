"""Predictions on staff pages: the inbox's forecast column and the case page's forecast section.

Both read the :class:`~civicflow.runtime.models.CasePrediction` rows the worker writes
(docs/prediction.md): the inbox as three subqueries inside its one page query (no query per row),
the case page with one lookup. Risk is always said in words with its percentage, never by colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicflow.runtime.definitions import graph_for
from civicflow.runtime.models import CasePrediction, ProcessInstance, UserTask

__all__ = ["Forecast", "case_forecast", "forecast", "with_predictions"]

HIGH: Final = 0.6  # at or above: "High risk of missing the deadline"
SOME: Final = 0.3  # at or above: "Some risk"
_DAY: Final = 86400.0


def with_predictions(tasks: QuerySet[UserTask]) -> QuerySet[UserTask]:
    """``tasks`` annotated with their case's prediction (``predicted_remaining``, ``predicted_risk``,
    ``predicted_overdue``; None without one), computed in the same SQL statement."""
    row = CasePrediction.objects.filter(instance_id=OuterRef("instance_id"))
    return tasks.annotate(
        predicted_remaining=Subquery(row.values("remaining_seconds")[:1]),
        predicted_risk=Subquery(row.values("sla_risk")[:1]),
        predicted_overdue=Subquery(row.values("overdue")[:1]),
    )


def _duration(seconds: float) -> str:
    days = seconds / _DAY
    if days < 2:
        hours = max(1, round(seconds / 3600))
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    whole = round(days)
    return ngettext("%(count)d day", "%(count)d days", whole) % {"count": whole}


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """What a page says about a case's prediction."""

    remaining: str  # "About 12 days left"
    risk: str  # "High risk of missing the deadline (78%)", or "" when there is no target
    level: str  # overdue, high, some, low, none: picks the tag's colour (the words say it all)
    tag: str  # the GOV.UK tag modifier class

    @property
    def flagged(self) -> bool:
        return self.level in {"overdue", "high", "some"}


_TAGS: Final = {
    "overdue": "govuk-tag--red",
    "high": "govuk-tag--red",
    "some": "govuk-tag--yellow",
    "low": "govuk-tag--green",
}


def forecast(remaining_seconds: float | None, risk: float | None, overdue: bool | None) -> Forecast | None:
    """The words for a prediction; None when the case has none."""
    if remaining_seconds is None:
        return None
    remaining = _("About %(duration)s left") % {"duration": _duration(remaining_seconds)}
    if overdue:
        level, text = "overdue", _("Past the deadline")
    elif risk is None:
        level, text = "none", ""
    else:
        percent = round(risk * 100)
        if risk >= HIGH:
            level, text = "high", _("High risk of missing the deadline (%(percent)d%%)") % {"percent": percent}
        elif risk >= SOME:
            level, text = "some", _("Some risk of missing the deadline (%(percent)d%%)") % {"percent": percent}
        else:
            level, text = "low", _("Low risk of missing the deadline (%(percent)d%%)") % {"percent": percent}
    return Forecast(remaining=remaining, risk=text, level=level, tag=_TAGS.get(level, ""))


def _shown(value: Any) -> Any:
    """Whole numbers without their ".0" (features are floats)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _reason(reason: dict[str, Any], names: dict[str, str]) -> str:
    kind, subject, value = reason.get("kind"), str(reason.get("subject") or ""), _shown(reason.get("value"))
    activity = names.get(subject, subject)
    hours = float(value) * 3600 if isinstance(value, int | float) else 0.0
    texts = {
        "elapsed": lambda: _("The case has been open for %(duration)s") % {"duration": _duration(hours)},
        "since_last": lambda: _("Nothing has happened for %(duration)s") % {"duration": _duration(hours)},
        "open": lambda: (
            _("Waiting at “%(activity)s” for %(duration)s") % {"activity": activity, "duration": _duration(hours)}
        ),
        "took": lambda: _("“%(activity)s” took %(duration)s") % {"activity": activity, "duration": _duration(hours)},
        "done": lambda: (
            ngettext("“%(activity)s” done once", "“%(activity)s” done %(count)s times", int(value or 0))
            % {"activity": activity, "count": value}
        ),
        "last": lambda: _("The last step was “%(activity)s”") % {"activity": names.get(str(value), value)},
        "department": lambda: _("The case is with %(department)s") % {"department": value},
        "attribute": lambda: _("%(field)s is %(value)s") % {"field": subject, "value": value},
        "workload": lambda: _("%(count)s cases of this service are open") % {"count": value},
        "queue": lambda: _("%(count)s tasks are open in %(department)s") % {"count": value, "department": subject},
        "steps": lambda: _("%(count)s steps so far") % {"count": value},
        "hour": lambda: _("The time of day"),
        "weekday": lambda: _("The day of the week"),
        "service": lambda: _("The service"),
    }
    text = texts.get(str(kind), lambda: str(kind))()
    effect = float(reason.get("effect_hours") or 0) * 3600
    if effect >= 0:
        return _("%(reason)s: about %(duration)s longer than usual") % {"reason": text, "duration": _duration(effect)}
    return _("%(reason)s: about %(duration)s shorter than usual") % {"reason": text, "duration": _duration(-effect)}


def case_forecast(instance: ProcessInstance) -> dict[str, Any] | None:
    """The case page's forecast: words, expected end, reasons; None without a prediction."""
    row = CasePrediction.objects.filter(instance_id=instance.pk).first()
    if row is None or instance.status != "active":
        return None
    words = forecast(row.remaining_seconds, row.sla_risk, row.overdue)
    names = {node_id: node.name or node_id for node_id, node in graph_for(instance.definition_id).nodes.items()}
    return {
        "forecast": words,
        "expected_end": row.expected_end,
        "predicted_at": row.predicted_at,
        "model_version": row.model_version,
        "reasons": [_reason(reason, names) for reason in row.reasons],
    }
