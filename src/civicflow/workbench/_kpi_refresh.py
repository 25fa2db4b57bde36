"""The worker's step that keeps the dashboards' snapshots current (docs/kpi.md, "Dashboards").

Page views serve the snapshots they find, even out of date, and compute only what has none
(``civicflow.web.kpis``). This step, within a time budget per pass:

1. pre-computes, for every reference service, the periods the pages show by default that have no
   usable snapshot (or an out-of-date one): the current day, week, month, quarter and year with
   the trend windows ending there (``TREND_PERIODS`` of each kind; months one more, the
   transparency page's twelve whole months), and the at-risk list;
2. recomputes, stalest first, the open snapshots the read models have moved past once they are
   half ``REFRESH_EVERY`` old, those ``OPEN_FOR`` old, and the closed ones a page view reopened
   because an event landed in their period.

One period is one unit of work; the budget is checked before each, so a pass overruns it by at
most one period's computation.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from functools import partial

from civicflow.kpi import KpiError, Period, PeriodKind
from civicflow.runtime.clock import current_clock
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from civicflow.web.kpis import REFRESH_EVERY, behind, cached_current, cached_figures, due, trend_periods
from civicflow.web.models import KpiSnapshot
from civicflow.workbench._kpi_risk import AT_RISK, at_risk

__all__ = ["TREND_PERIODS", "refresh_snapshots", "standard_periods"]

TREND_PERIODS = 12  # as the service page's trend (views/_kpi.py)


def standard_periods(now: dt.datetime) -> list[Period]:
    """The periods the pages show by default at ``now``, most recent first within each kind."""
    day = now.astimezone(dt.UTC).date()
    found: list[Period] = []
    for kind in PeriodKind:
        count = TREND_PERIODS + 1 if kind == PeriodKind.MONTH else TREND_PERIODS
        found += reversed(trend_periods(Period.of(kind, day), count))
    return found


def _missing_risk() -> Iterator[ReferenceService]:
    have = set(KpiSnapshot.objects.filter(key=AT_RISK).values_list("service", flat=True))
    return (service for service in REFERENCE_SERVICES if service.id not in have)


def refresh_snapshots(*, budget: float = 2.0, monotonic: Callable[[], float] = time.monotonic) -> int:
    """Pre-compute and refresh snapshots for up to about ``budget`` seconds; how many were computed."""
    deadline = monotonic() + budget
    clock = current_clock()
    done = 0
    if monotonic() >= deadline:
        return done
    for service in _missing_risk():
        if monotonic() >= deadline:
            return done
        cached_current(service, AT_RISK, partial(at_risk, service), refresh=True)
        done += 1
    periods = standard_periods(clock.now())
    for service in REFERENCE_SERVICES:
        requests = [(service, period) for period in periods]
        for index in due(requests):
            if monotonic() >= deadline:
                return done
            cached_figures([requests[index]], serve_stale=False)
            done += 1
    known = {service.id: service for service in REFERENCE_SERVICES}
    for service_id, key in behind(REFRESH_EVERY / 2):
        if monotonic() >= deadline:
            break
        found = known.get(service_id)
        if found is None:
            continue
        if key == AT_RISK:
            cached_current(found, key, partial(at_risk, found), refresh=True)
        else:
            try:
                period = Period.parse(key, clock=clock)
            except KpiError:
                continue
            cached_figures([(found, period)], refresh=True)
        done += 1
    return done
