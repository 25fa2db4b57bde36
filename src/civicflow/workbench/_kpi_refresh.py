"""The worker's refresh of the dashboards' snapshots about the present (docs/kpi.md, "Dashboards").

Open periods (the current day, week, month, quarter, year of a service someone has looked at) and
the at-risk lists are recomputed here once the read models have moved on, so that a page view
finds figures younger than ``REFRESH_EVERY`` and does not compute them itself. Periods that do not
hold the present (a future label someone typed, a period just ended) are left to page views.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from civicflow.kpi import KpiError, Period
from civicflow.runtime.clock import current_clock
from civicflow.services import REFERENCE_SERVICES
from civicflow.web.kpis import REFRESH_EVERY, behind, cached_current, cached_figures
from civicflow.workbench._kpi_risk import AT_RISK, at_risk

__all__ = ["refresh_snapshots"]


def refresh_snapshots(*, budget: float = 2.0, monotonic: Callable[[], float] = time.monotonic) -> int:
    """Recompute the stalest snapshots about the present for up to ``budget`` seconds; how many.

    A snapshot is due once the KPI cursor has passed it and it is half ``REFRESH_EVERY`` old, so
    steady history costs one recomputation per snapshot per half minute, not one per batch.
    """
    deadline = monotonic() + budget
    known = {service.id: service for service in REFERENCE_SERVICES}
    clock = current_clock()
    done = 0
    for service_id, key in behind(REFRESH_EVERY / 2):
        if monotonic() >= deadline:
            break
        service = known.get(service_id)
        if service is None:
            continue
        if key == AT_RISK:
            cached_current(service, key, partial(at_risk, service), refresh=True)
        else:
            try:
                period = Period.parse(key, clock=clock)
            except KpiError:
                continue
            if not period.start <= clock.now() < period.end:
                continue
            cached_figures([(service, period)], refresh=True)
        done += 1
    return done
