"""The SLA at-risk rule on hand-made read-model rows, and when cached KPI figures are recomputed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from django.test.utils import override_settings

from civicflow.engine import VirtualClock
from civicflow.kpi import Period, PeriodKind
from civicflow.runtime import services
from civicflow.runtime.clock import using_clock
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.models import KpiCase, KpiCursor, KpiStage
from civicflow.services import service
from civicflow.web.kpis import (
    OPEN_FOR,
    REFRESH_EVERY,
    behind,
    cached_figures,
    cached_service_kpis,
    service_kpis,
)
from civicflow.web.models import KpiSnapshot
from civicflow.workbench._kpi_refresh import refresh_snapshots
from civicflow.workbench._kpi_risk import at_risk
from support.workbench import APPLICATION, signed_in, staff

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PERMIT = service("building_permit")  # targets: check_completeness P5D, zoning_review P10D, whole case P56D


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _case(name: str, started: float, ended: float | None = None, outcome: str = "open") -> uuid.UUID:
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, name)
    KpiCase.objects.create(
        instance_id=case_id,
        service="building_permit",
        started=_ago(started),
        ended=None if ended is None else _ago(ended),
        outcome=outcome,
    )
    return case_id


def _stage(case_id: uuid.UUID, element: str, started: float, ended: float | None = None) -> None:
    KpiStage.objects.create(
        instance_id=case_id,
        key=KpiStage.objects.count() + 1,
        case_id=case_id,
        service="building_permit",
        element=element,
        started=_ago(started),
        ended=None if ended is None else _ago(ended),
    )


@pytest.fixture
def history() -> dict[str, uuid.UUID]:
    """Finished cases that set the pace, and open cases A-F (days before NOW in the comments)."""
    # completed within the 90-day window: completeness took 2, 3, 4 days (median 3), the zoning
    # review 12 each (median 12); from entering the check to the end 60, 40, 45 (median 45), from
    # entering zoning to the end 50, 30, 40 (median 40)
    for name, start, end, check, zoning in (
        ("x1", 70, 10, (70, 68), (60, 48)),
        ("x2", 60, 20, (60, 57), (50, 38)),
        ("x3", 50, 5, (50, 46), (45, 33)),
    ):
        case_id = _case(name, start, end, "completed")
        _stage(case_id, "check_completeness", *check)
        _stage(case_id, "zoning_review", *zoning)
    # before the window: four 30-day checks that would make the median check 30 days
    for n in range(4):
        old = _case(f"old{n}", 140, 95, "completed")
        _stage(old, "check_completeness", 130, 100)
    cases = {
        # 1 day old, 1 day in the check: 3 <= 5 and 1 + 45 <= 56: on pace
        "A": _case("a", 1),
        # 20 days old, back in the check for a day: 20 + 45 = 65 > 56, the case will be late
        "B": _case("b", 20),
        # 6 days in the check: past its 5-day target already
        "C": _case("c", 6),
        # 1 day in zoning, whose median is 12 > 10
        "D": _case("d", 2),
        # ended (withdrawn) although a stage row is still open: not listed
        "E": _case("e", 30, 1, "terminated"),
        # waiting in an unmeasured element
        "F": _case("f", 80),
    }
    _stage(cases["A"], "check_completeness", 1)
    _stage(cases["B"], "check_completeness", 1)
    _stage(cases["C"], "check_completeness", 6)
    _stage(cases["D"], "zoning_review", 1)
    _stage(cases["E"], "zoning_review", 20)
    _stage(cases["F"], "determine_fee", 79)
    return cases


@pytest.mark.postgres
def test_at_risk_lists_cases_that_will_miss_a_target_at_the_recent_pace(history: dict[str, uuid.UUID]) -> None:
    found = at_risk(PERMIT, NOW)
    rows = [(row["case_id"], row["element"], row["overdue"]) for row in found["rows"]]
    # most urgent first: B is 9 days over its case target, D 2 over its stage target, C 1
    assert rows == [
        (str(history["B"]), "check_completeness", False),
        (str(history["D"]), "zoning_review", False),
        (str(history["C"]), "check_completeness", True),
    ]
    b, d, c = found["rows"]
    assert b["case_predicted"] == (20 + 45) * 86_400
    assert b["stage_predicted"] == 3 * 86_400
    assert d["stage_predicted"] == 12 * 86_400
    assert d["case_predicted"] == (2 + 40) * 86_400
    assert c["stage_predicted"] == c["in_stage"] == 6 * 86_400
    assert [row["department"] for row in found["rows"]] == ["intake", "zoning", "intake"]
    assert found["totals"] == {"intake": 2, "zoning": 1}
    assert b["reference"] == str(history["B"])[:8]  # no process instance: the id stands in


def test_at_risk_without_recent_examples_lists_only_cases_past_a_target(history: dict[str, uuid.UUID]) -> None:
    later = NOW + timedelta(days=200)  # nothing finished in the 90 days before
    rows = {(row["case_id"], row["element"]) for row in at_risk(PERMIT, later)["rows"]}
    # every open measured stage is now more than 5 (check) or 10 (zoning) days old
    assert rows == {
        (str(history[name]), element)
        for name, element in (("A", "check_completeness"), ("B", "check_completeness"), ("C", "check_completeness"))
    } | {(str(history["D"]), "zoning_review")}


def test_at_risk_list_on_the_dashboard_links_cases_and_follows_the_department_filter(
    history: dict[str, uuid.UUID],
) -> None:
    client = signed_in(staff("maud", "zoning-head"))
    with using_clock(VirtualClock(NOW)):
        page = client.get("/workbench/kpi/building_permit/?period=2026-05").content.decode()
        zoning = client.get("/workbench/kpi/building_permit/?period=2026-05&department=zoning").content.decode()
    assert "3 open stages at risk." in page
    table = page[page.index('id="at-risk"') :]
    links = [f'href="/workbench/cases/{history[name]}"' for name in "BDC"]
    assert all(link in table for link in links)
    assert [table.index(link) for link in links] == sorted(table.index(link) for link in links)
    assert f"/workbench/cases/{history['A']}" not in page
    assert "1 open stage at risk." in zoning
    assert f"/workbench/cases/{history['D']}" in zoning
    assert f"/workbench/cases/{history['B']}" not in zoning


# -- the cache ------------------------------------------------------------------------------------


def _start(clock: VirtualClock, when: datetime, key: str) -> None:
    clock.set(when)
    services.start_instance(PERMIT.process_id, business_key=key, variables={**APPLICATION, "caseNumber": key})


def _snapshot(label: str) -> KpiSnapshot:
    return KpiSnapshot.objects.get(service=PERMIT.id, key=label)


# what the worker does with a snapshot that is out of date (a page view serves it as it is)
recompute = partial(cached_figures, serve_stale=False)


@pytest.mark.postgres  # the upsert of snapshots (ON CONFLICT) on both databases
def test_closed_periods_are_kept_until_an_event_lands_in_them_open_ones_follow_the_cursor() -> None:
    january = Period.of(PeriodKind.MONTH, date(2025, 1, 1))
    february = Period.of(PeriodKind.MONTH, date(2025, 2, 1))
    clock = VirtualClock(datetime(2025, 1, 6, 10, tzinfo=UTC))
    with using_clock(clock):
        services.deploy(PERMIT.files(), name="reference:building_permit")
        _start(clock, datetime(2025, 1, 6, 10, tzinfo=UTC), "BP-1")
        _start(clock, datetime(2025, 2, 3, 10, tzinfo=UTC), "BP-2")  # the history has passed January's end
        catch_up()
        clock.set(datetime(2025, 2, 4, 9, tzinfo=UTC))
        first, open_month = cached_figures([(PERMIT, january), (PERMIT, february)])
        assert (first.kpis.started, open_month.kpis.started) == (1, 1)
        assert _snapshot("2025-01").closed
        assert not _snapshot("2025-02").closed
        computed = _snapshot("2025-01").computed

        # new history after January: January's figures stay, February's are out of date: a page
        # view serves them as they are (the worker recomputes them), a recomputation finds BP-3
        _start(clock, datetime(2025, 2, 5, 10, tzinfo=UTC), "BP-3")
        catch_up()
        clock.set(datetime(2025, 2, 5, 11, tzinfo=UTC))
        first, open_month = cached_figures([(PERMIT, january), (PERMIT, february)])
        assert (first.stale, open_month.stale, open_month.kpis.started) == (False, True, 1)
        first, open_month = recompute([(PERMIT, january), (PERMIT, february)])
        assert (first.kpis.started, open_month.kpis.started) == (1, 2)
        assert _snapshot("2025-01").computed == computed
        assert _snapshot("2025-01").last_id == KpiCursor.objects.get().last_id  # checked up to the cursor

        # a late event inside January (history ids keep growing, timestamps need not): a page view
        # serves January's figures marked stale and reopens the snapshot for the worker
        _start(clock, datetime(2025, 1, 20, 10, tzinfo=UTC), "BP-4")
        catch_up()
        clock.set(datetime(2025, 2, 5, 12, tzinfo=UTC))
        late = cached_figures([(PERMIT, january)])[0]
        assert (late.stale, late.kpis.started, late.computed) == (True, 1, computed)
        assert not _snapshot("2025-01").closed
        assert (PERMIT.id, "2025-01") in behind(REFRESH_EVERY / 2)
        assert recompute([(PERMIT, january)])[0].kpis.started == 2
        assert _snapshot("2025-01").computed == clock.now()

        # the cursor moved: the open month is out of date; recomputed, then with no new history
        # current for OPEN_FOR, then out of date again (its backlog ageing moves with the clock)
        assert recompute([(PERMIT, february)])[0].computed == clock.now()
        clock.set(datetime(2025, 2, 5, 12, 1, tzinfo=UTC))
        assert recompute([(PERMIT, february)])[0].computed == datetime(2025, 2, 5, 12, tzinfo=UTC)
        refreshed = datetime(2025, 2, 5, 12, tzinfo=UTC) + OPEN_FOR + timedelta(seconds=1)
        clock.set(refreshed)
        assert cached_figures([(PERMIT, february)])[0].stale
        assert (PERMIT.id, "2025-02") in behind(REFRESH_EVERY / 2)
        assert recompute([(PERMIT, february)])[0].computed == refreshed

        # while history keeps coming in, the open month is recomputed at most every REFRESH_EVERY
        _start(clock, refreshed + timedelta(seconds=10), "BP-5")
        catch_up()
        clock.set(refreshed + timedelta(seconds=20))
        stale = recompute([(PERMIT, february)])[0]
        assert (stale.computed, stale.kpis.started, stale.stale) == (refreshed, 2, False)
        assert stale.history_until == datetime(2025, 1, 20, 10, tzinfo=UTC)  # the last event applied: BP-4's
        clock.set(refreshed + REFRESH_EVERY)
        fresh = recompute([(PERMIT, february)])[0]
        assert (fresh.computed, fresh.kpis.started) == (clock.now(), 3)
        assert fresh.history_until == refreshed + timedelta(seconds=10)
        # the cached figures are those service_kpis computes
        assert cached_service_kpis(PERMIT, february) == service_kpis(PERMIT, february)
        assert cached_service_kpis(PERMIT, january) == service_kpis(PERMIT, january)


def test_a_changed_definition_recomputes_cached_figures() -> None:
    january = Period.of(PeriodKind.MONTH, date(2025, 1, 1))
    clock = VirtualClock(datetime(2025, 1, 6, 10, tzinfo=UTC))
    with using_clock(clock):
        services.deploy(PERMIT.files(), name="reference:building_permit")
        _start(clock, datetime(2025, 1, 6, 10, tzinfo=UTC), "BP-1")
        catch_up()
        first = datetime(2025, 3, 1, tzinfo=UTC)
        clock.set(first)
        cached_service_kpis(PERMIT, january)
        before = _snapshot("2025-01").payload["fingerprint"]
        clock.set(first + timedelta(minutes=1))
        cached_service_kpis(PERMIT, january)
        assert _snapshot("2025-01").computed == first  # reused
        clock.set(first + timedelta(minutes=2))
        with override_settings(KPI_TASK_COSTS={PERMIT.id: {"check_completeness": 1500}}):
            cached_service_kpis(PERMIT, january)
        assert _snapshot("2025-01").computed == clock.now()
        assert _snapshot("2025-01").payload["fingerprint"] != before


def test_the_worker_refreshes_the_snapshots_about_the_present_once_history_moved_on() -> None:
    february = Period.of(PeriodKind.MONTH, date(2025, 2, 1))
    future = Period.of(PeriodKind.YEAR, date(2030, 1, 1))
    now = datetime(2025, 2, 5, 12, tzinfo=UTC)
    clock = VirtualClock(datetime(2025, 2, 3, 10, tzinfo=UTC))
    with using_clock(clock):
        services.deploy(PERMIT.files(), name="reference:building_permit")
        _start(clock, datetime(2025, 2, 3, 10, tzinfo=UTC), "BP-1")
        catch_up()
        clock.set(now)
        cached_figures([(PERMIT, future)])  # a period someone typed
        assert refresh_snapshots(budget=0) == 0  # no time to spend
        assert refresh_snapshots(budget=600) > 0  # the standard periods and at-risk lists, pre-computed
        assert _snapshot("2025-02").computed == _snapshot("at-risk").computed == now
        clock.set(now + timedelta(minutes=1))
        assert refresh_snapshots(budget=600) == 0  # the read models have not moved on

        _start(clock, now + timedelta(seconds=70), "BP-2")
        catch_up()
        clock.set(now + timedelta(seconds=80))
        assert refresh_snapshots(budget=600) > 0
        for key in ("2025-02", "2025-W06", "2025-02-05", "2025-Q1", "2025", "at-risk", "2030"):
            assert _snapshot(key).computed == clock.now(), key
        assert _snapshot("2025-01").computed == now  # closed: no event since fell in it
        assert _snapshot("2025-01").last_id == KpiCursor.objects.get().last_id  # checked up to the cursor
        # a page view now finds fresh figures and computes nothing
        figures = cached_figures([(PERMIT, february)])[0]
        assert (figures.computed, figures.kpis.started, figures.stale) == (clock.now(), 2, False)
        # steady history: a snapshot refreshed less than half REFRESH_EVERY ago waits
        _start(clock, clock.now() + timedelta(seconds=1), "BP-3")
        catch_up()
        clock.set(clock.now() + REFRESH_EVERY / 2 - timedelta(seconds=2))
        assert refresh_snapshots(budget=600) == 0
        clock.set(clock.now() + timedelta(seconds=2))
        assert refresh_snapshots(budget=600) > 0
        assert _snapshot("2025-02").computed == clock.now()


def test_civicflow_worker_is_given_the_refresh_step() -> None:
    from civicflow.cli._worker import _kpi_steps  # the steps `civicflow worker` is given

    assert "refresh_snapshots" in [getattr(step, "__name__", "") for step in _kpi_steps()]
