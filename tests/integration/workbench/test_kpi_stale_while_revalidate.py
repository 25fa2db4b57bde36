"""Dashboards and the transparency page serve out-of-date KPI snapshots as they are, without reading
the read models; the worker pre-computes the standard periods within its budget and refreshes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.clock import using_clock
from civicflow.runtime.kpi_projection import catch_up
from civicflow.services import REFERENCE_SERVICES, service
from civicflow.web.kpis import REFRESH_EVERY, due
from civicflow.web.models import KpiSnapshot
from civicflow.workbench._kpi_refresh import refresh_snapshots, standard_periods
from civicflow.workbench._kpi_risk import AT_RISK
from support.workbench import APPLICATION, signed_in, staff

pytestmark = pytest.mark.django_db

PERMIT = service("building_permit")
NOW = datetime(2025, 2, 5, 12, tzinfo=UTC)
READ_MODELS = ("runtime_kpicase", "runtime_kpistage", "runtime_kpitask", "runtime_kpiincident")
PAGES = (
    "/workbench/kpi/",
    "/workbench/kpi/building_permit/?kind=month",
    "/workbench/kpi/building_permit/?kind=month&department=zoning",
    "/portal/transparency/building_permit/",
)
UPDATING = {
    "en": "being updated: newer history has arrived",
    "nl": "worden bijgewerkt: er is nieuwere geschiedenis binnengekomen",
}


def _start(clock: VirtualClock, when: datetime, key: str) -> None:
    clock.set(when)
    services.start_instance(PERMIT.process_id, business_key=key, variables={**APPLICATION, "caseNumber": key})


def _read_model_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if any(table in q["sql"] for table in READ_MODELS)]


def _get(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return str(response.content.decode())


@pytest.mark.postgres
def test_a_stale_snapshot_is_served_without_reading_the_read_models_and_the_worker_refreshes_it() -> None:
    manager = staff("maud", "zoning-head")
    clients = {lang: signed_in(manager, lang) for lang in ("en", "nl")}
    clock = VirtualClock(datetime(2025, 1, 6, 10, tzinfo=UTC))
    with using_clock(clock):
        services.deploy(PERMIT.files(), name="reference:building_permit")
        _start(clock, datetime(2025, 1, 20, 10, tzinfo=UTC), "BP-1")
        _start(clock, datetime(2025, 2, 3, 10, tzinfo=UTC), "BP-2")
        catch_up()
        clock.set(NOW)
        assert refresh_snapshots(budget=600) > 0  # every standard period pre-computed
        for path in PAGES:  # a first view finds snapshots: nothing computed in the request
            with CaptureQueriesContext(connection) as queries:
                assert UPDATING["en"] not in _get(clients["en"], path)
            assert _read_model_queries(queries) == [], path

        # new history, in this month and (late) in January; the snapshots are older than REFRESH_EVERY
        _start(clock, NOW + timedelta(seconds=10), "BP-3")
        _start(clock, datetime(2025, 1, 21, 10, tzinfo=UTC), "BP-4")
        catch_up()
        clock.set(NOW + REFRESH_EVERY + timedelta(seconds=5))
        computed = dict(KpiSnapshot.objects.values_list("key", "computed").filter(service=PERMIT.id))
        for path in PAGES:
            for lang, client in clients.items():
                with CaptureQueriesContext(connection) as queries:
                    page = _get(client, path)
                assert _read_model_queries(queries) == [], (path, lang)
                if path.startswith("/workbench/"):
                    assert UPDATING[lang] in page, (path, lang)
        page = _get(clients["en"], PAGES[1])
        assert dict(KpiSnapshot.objects.values_list("key", "computed").filter(service=PERMIT.id)) == computed
        # January's snapshot, closed, was reopened for the worker (an event landed in it)
        assert not KpiSnapshot.objects.get(service=PERMIT.id, key="2025-01").closed

        assert refresh_snapshots(budget=600) > 0
        for key in ("2025-01", "2025-02", AT_RISK):
            assert KpiSnapshot.objects.get(service=PERMIT.id, key=key).computed == clock.now(), key
        with CaptureQueriesContext(connection) as queries:
            page = _get(clients["en"], "/workbench/kpi/building_permit/?period=2025-01")
        assert _read_model_queries(queries) == []
        assert UPDATING["en"] not in page
        assert "Figures as of" in page


def test_the_worker_precomputes_the_standard_periods_within_its_budget() -> None:
    clock = VirtualClock(datetime(2025, 2, 3, 10, tzinfo=UTC))
    with using_clock(clock):
        services.deploy(PERMIT.files(), name="reference:building_permit")
        _start(clock, datetime(2025, 2, 3, 10, tzinfo=UTC), "BP-1")
        catch_up()
        clock.set(NOW)
        periods = standard_periods(NOW)
        assert {p.label for p in periods} >= {"2025-02-05", "2025-W06", "2025-02", "2025-Q1", "2025", "2024-02"}
        assert len(periods) == 5 * 12 + 1  # twelve of each kind, thirteen months (transparency's twelve)
        ticks = itertools.count()  # a clock where each look costs one second
        passes: list[int] = []
        while done := refresh_snapshots(budget=10, monotonic=lambda: float(next(ticks))):
            passes.append(done)
            assert len(passes) < 100
        # each pass stops once the budget is spent: about one look per unit of work
        assert len(passes) > 1
        assert max(passes) <= 10
        assert sum(passes) == len(REFERENCE_SERVICES) * (len(periods) + 1)
        for item in REFERENCE_SERVICES:
            assert due([(item, period) for period in periods]) == []
            assert KpiSnapshot.objects.filter(service=item.id, key=AT_RISK).exists()
