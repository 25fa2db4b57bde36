"""The published KPIs of the transparency page: which figures, their units, rounding and suppression.

One table (:data:`MEASURES`) says what is published; the page, the CSV and JSON files, their
schemas and the method note are all made from it, so they cannot disagree. The figures of a month
are those of ``civicflow kpi report`` and the workbench dashboards, read through the dashboards'
snapshot cache (:func:`civicflow.web.kpis.cached_figures`).

Small numbers are suppressed: a ratio, a percentile or an average whose base (denominator) is
below :data:`SUPPRESSION_THRESHOLD` is not published, because it would describe a handful of
people. Counts of cases are always published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from civicflow.kpi import Period, PeriodKind, Ratio, ServiceKpis
from civicflow.services import ReferenceService, Text
from civicflow.web.kpis import cached_figures

__all__ = [
    "MEASURES",
    "MONTHS",
    "SUPPRESSION_THRESHOLD",
    "Figure",
    "Measure",
    "MonthRow",
    "Series",
    "Status",
    "month_row",
    "published_months",
    "series",
]

SUPPRESSION_THRESHOLD = 5
MONTHS = 12


class Status(StrEnum):
    PUBLISHED = "published"
    SUPPRESSED = "suppressed"  # base below SUPPRESSION_THRESHOLD
    NO_DATA = "no_data"  # nothing to count in the month
    NOT_CONFIGURED = "not_configured"  # cost per transaction without a cost table


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One published figure: rounded ``value`` (None unless published) and its ``base`` (denominator)."""

    value: float | int | None
    base: int | None
    status: Status


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """A published KPI: its key in the files, unit, decimals, and texts for the page and the method note."""

    key: str
    unit: str  # "cases", "percent", "days", "working_hours" or "currency" (the row's currency)
    decimals: int
    label: Text
    method: Text
    base_label: Text | None  # what the base counts; None for counts (always published)
    figure: Callable[[ServiceKpis], Figure]


def _rounded(value: float, decimals: int) -> float | int:
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(exact) if decimals == 0 else float(exact)


def _gated(base: int, value: float | None, decimals: int, *, scale: float = 1.0) -> Figure:
    """The figure over ``base`` items: suppressed below the threshold, else ``value * scale`` rounded."""
    if base == 0:
        return Figure(value=None, base=0, status=Status.NO_DATA)
    if base < SUPPRESSION_THRESHOLD:
        return Figure(value=None, base=base, status=Status.SUPPRESSED)
    if value is None:
        return Figure(value=None, base=base, status=Status.NOT_CONFIGURED)
    return Figure(value=_rounded(value * scale, decimals), base=base, status=Status.PUBLISHED)


def _percent(pick: Callable[[ServiceKpis], Ratio]) -> Callable[[ServiceKpis], Figure]:
    def figure(kpis: ServiceKpis) -> Figure:
        ratio = pick(kpis)
        return _gated(ratio.denominator, ratio.value, 1, scale=100)

    return figure


def _count(pick: Callable[[ServiceKpis], int]) -> Callable[[ServiceKpis], Figure]:
    def figure(kpis: ServiceKpis) -> Figure:
        return Figure(value=pick(kpis), base=None, status=Status.PUBLISHED)

    return figure


def _duration(kind: str, index: int, scale: float) -> Callable[[ServiceKpis], Figure]:
    def figure(kpis: ServiceKpis) -> Figure:
        values = kpis.processing.calendar if kind == "calendar" else kpis.processing.working
        return _gated(kpis.processing.count, values[index], 1, scale=scale)

    return figure


def _cost(kpis: ServiceKpis) -> Figure:
    # minor units (cents) per completed case, published in major units
    return _gated(kpis.completed, kpis.cost_per_transaction, 2, scale=0.01)


def _t(en: str, nl: str) -> Text:
    return Text(en=en, nl=nl)


_COMPLETED = _t("cases completed", "afgeronde zaken")
_DAY, _HOUR = 86400.0, 3600.0

MEASURES: tuple[Measure, ...] = (
    Measure(
        key="cases_started", unit="cases", decimals=0, base_label=None, figure=_count(lambda k: k.started),
        label=_t("Cases started", "Gestarte zaken"),
        method=_t("Applications and cases that started in the month, through any channel.",
                  "Aanvragen en zaken die in de maand begonnen, via welk kanaal ook."),
    ),
    Measure(
        key="cases_completed", unit="cases", decimals=0, base_label=None, figure=_count(lambda k: k.completed),
        label=_t("Cases completed", "Afgeronde zaken"),
        method=_t("Cases that reached the end of the process in the month, whatever the decision.",
                  "Zaken die in de maand het einde van het proces bereikten, wat het besluit ook was."),
    ),
    Measure(
        key="cost_per_transaction", unit="currency", decimals=2, base_label=_COMPLETED, figure=_cost,
        label=_t("Cost per transaction", "Kosten per transactie"),
        method=_t("The staff cost of the tasks done in the month (a configured cost per task type) divided by "
                  "the cases completed in the month. Not published when no costs are configured.",
                  "De personeelskosten van de taken die in de maand zijn uitgevoerd (een ingestelde prijs per "
                  "soort taak), gedeeld door het aantal zaken dat in de maand is afgerond. Niet gepubliceerd "
                  "als er geen kosten zijn ingesteld."),
    ),
    Measure(
        key="user_satisfaction", unit="percent", decimals=1, base_label=_t("answers", "antwoorden"),
        figure=_percent(lambda k: k.csat),
        label=_t("User satisfaction", "Tevredenheid"),
        method=_t("Share of the answers to the portal's satisfaction question given in the month that scored "
                  "4 or 5 out of 5.",
                  "Aandeel van de antwoorden op de tevredenheidsvraag in het portaal, gegeven in de maand, met "
                  "een score van 4 of 5 uit 5."),
    ),
    Measure(
        key="completion_rate", unit="percent", decimals=1, base_label=_t("cases finished", "beëindigde zaken"),
        figure=_percent(lambda k: k.completion_rate),
        label=_t("Completion rate", "Voltooiingsgraad"),
        method=_t("Cases completed in the month as a share of all cases that ended in the month (completed, "
                  "or stopped by withdrawal or cancellation).",
                  "Zaken die in de maand zijn afgerond, als aandeel van alle zaken die in de maand eindigden "
                  "(afgerond, of gestopt door intrekking of annulering)."),
    ),
    Measure(
        key="digital_take_up", unit="percent", decimals=1, base_label=_t("cases started", "gestarte zaken"),
        figure=_percent(lambda k: k.digital_take_up),
        label=_t("Digital take-up", "Digitaal gebruik"),
        method=_t("Cases started in the month through this online portal as a share of all cases started in "
                  "the month. Other channels (staff entry, connected systems) count as not online.",
                  "Zaken die in de maand via dit online portaal zijn gestart, als aandeel van alle zaken die "
                  "in de maand zijn gestart. Andere kanalen (invoer door medewerkers, gekoppelde systemen) "
                  "tellen als niet online."),
    ),
    Measure(
        key="processing_time_p50", unit="days", decimals=1, base_label=_COMPLETED,
        figure=_duration("calendar", 0, 1 / _DAY),
        label=_t("Processing time, median", "Doorlooptijd, mediaan"),
        method=_t("Half of the cases completed in the month took at most this many calendar days from start "
                  "to end (nearest-rank median).",
                  "De helft van de zaken die in de maand zijn afgerond, duurde van begin tot eind hoogstens "
                  "zoveel kalenderdagen (mediaan volgens de nearest-rank-methode)."),
    ),
    Measure(
        key="processing_time_p90", unit="days", decimals=1, base_label=_COMPLETED,
        figure=_duration("calendar", 1, 1 / _DAY),
        label=_t("Processing time, 90th percentile", "Doorlooptijd, 90e percentiel"),
        method=_t("Nine in ten of the cases completed in the month took at most this many calendar days "
                  "(nearest-rank 90th percentile).",
                  "Negen op de tien zaken die in de maand zijn afgerond, duurden hoogstens zoveel kalenderdagen "
                  "(90e percentiel volgens de nearest-rank-methode)."),
    ),
    Measure(
        key="processing_time_p50_working", unit="working_hours", decimals=1, base_label=_COMPLETED,
        figure=_duration("working", 0, 1 / _HOUR),
        label=_t("Processing time in working hours, median", "Doorlooptijd in werkuren, mediaan"),
        method=_t("As the median above, counting only working hours: Monday to Friday, 09:00 to 17:00 "
                  "(Amsterdam time), without the public holidays the agency has set.",
                  "Als de mediaan hierboven, maar alleen werkuren geteld: maandag tot en met vrijdag, 09.00 "
                  "tot 17.00 uur (Nederlandse tijd), zonder de feestdagen die de organisatie heeft ingesteld."),
    ),
    Measure(
        key="processing_time_p90_working", unit="working_hours", decimals=1, base_label=_COMPLETED,
        figure=_duration("working", 1, 1 / _HOUR),
        label=_t("Processing time in working hours, 90th percentile", "Doorlooptijd in werkuren, 90e percentiel"),
        method=_t("As the 90th percentile above, counting only working hours.",
                  "Als het 90e percentiel hierboven, maar alleen werkuren geteld."),
    ),
    Measure(
        key="sla_compliance", unit="percent", decimals=1, base_label=_COMPLETED,
        figure=_percent(lambda k: k.sla),
        label=_t("Completed within the service standard", "Afgerond binnen de servicenorm"),
        method=_t("Cases completed in the month whose calendar processing time was within the service's "
                  "target (for example eight weeks for a building permit), as a share of the cases completed.",
                  "Zaken die in de maand zijn afgerond binnen de norm van de dienst (bijvoorbeeld acht weken "
                  "voor een omgevingsvergunning, in kalendertijd), als aandeel van de afgeronde zaken."),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthRow:
    """The published figures of one service in one month, keyed by :attr:`Measure.key`."""

    period: Period
    currency: str
    figures: Mapping[str, Figure]


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """A service's published months, oldest first, and when they were computed."""

    service: ReferenceService
    months: tuple[MonthRow, ...]
    computed: dt.datetime

    @property
    def modified(self) -> dt.date:
        """The day the newest month in the files ended: the files change when a month is added."""
        return self.months[-1].period.end.date()


def month_row(kpis: ServiceKpis) -> MonthRow:
    """The published figures of one month's KPIs."""
    return MonthRow(
        period=kpis.period,
        currency=kpis.currency,
        figures={measure.key: measure.figure(kpis) for measure in MEASURES},
    )


def published_months(now: dt.datetime) -> tuple[Period, ...]:
    """The :data:`MONTHS` whole months before the month of ``now``, oldest first."""
    current = Period.of(PeriodKind.MONTH, now.astimezone(dt.UTC).date())
    months: list[Period] = []
    day = current.start.date()
    for _ in range(MONTHS):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        months.append(Period.of(PeriodKind.MONTH, day))
    return tuple(reversed(months))


def series(service: ReferenceService, now: dt.datetime) -> Series:
    """The published months of ``service`` as of ``now``, from the dashboards' figure snapshots.

    :func:`~civicflow.web.kpis.cached_figures` keeps each month's figures in a snapshot row shared by
    every process, recomputed only when history lands in that month; it does not apply history
    itself (the worker does), so the figures are as of the last event the worker applied.
    """
    figures = cached_figures([(service, period) for period in published_months(now)])
    return Series(
        service=service,
        months=tuple(month_row(item.kpis) for item in figures),
        computed=max(item.computed for item in figures),
    )
