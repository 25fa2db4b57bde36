"""Every KPI of one service in November 2026 against figures computed by hand.

Calendar: Monday to Friday 09:00-17:00 UTC, Wednesday 11 November 2026 a holiday. November 2026
starts on a Sunday; the report is taken on Monday 30 November 12:00 (as_of = that moment).
"""

from __future__ import annotations

import datetime as dt

import pytest

from civicflow.kpi import (
    CaseOutcome,
    CaseRecord,
    Channel,
    DepartmentKpis,
    DraftRecord,
    IncidentRecord,
    KpiDefinition,
    KpiInput,
    Period,
    PeriodKind,
    SatisfactionRecord,
    ServiceKpis,
    StageDefinition,
    StageRecord,
    TaskRecord,
    compute_kpis,
)
from civicflow.mining import BusinessCalendar

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
HOUR = 3600.0
DAY = 24 * HOUR


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


DEFINITION = KpiDefinition(
    service="permit",
    processing_target=dt.timedelta(days=14),
    stages=(
        StageDefinition(element="review", label="Review", target=dt.timedelta(days=5)),
        StageDefinition(element="decision", label="Decision", target=dt.timedelta(days=2)),
    ),
    calendar=BusinessCalendar.of(holidays=[dt.date(2026, 11, 11)]),
    task_costs={"intake": 1000, "review": 2500, "decision": 4000},
)

DONE, ENDED, OPEN = CaseOutcome.COMPLETED, CaseOutcome.TERMINATED, CaseOutcome.OPEN
WEB, OTHER = Channel.ONLINE, Channel.OTHER
CASES = (
    CaseRecord(case_id="A", service="permit", started=at(11, 2), ended=at(11, 6, 17), outcome=DONE, channel=WEB),
    CaseRecord(case_id="B", service="permit", started=at(11, 10, 16), ended=at(11, 12, 10), outcome=DONE, channel=WEB),
    CaseRecord(case_id="C", service="permit", started=at(11, 13, 16), ended=at(11, 16, 10), outcome=DONE),
    CaseRecord(case_id="D", service="permit", started=at(10, 5), ended=at(11, 23), outcome=DONE),
    CaseRecord(case_id="E", service="permit", started=at(11, 18, 10), ended=at(11, 20, 10), outcome=ENDED, channel=WEB),
    CaseRecord(case_id="F", service="permit", started=at(11, 23)),
    CaseRecord(case_id="G", service="permit", started=at(9, 1)),
    CaseRecord(case_id="H", service="permit", started=at(11, 30, 10), channel=WEB),
    # another service: must not count anywhere
    CaseRecord(case_id="X", service="tax", started=at(11, 2), ended=at(11, 3), outcome=DONE, channel=WEB),
)
TASKS = (
    TaskRecord(case_id="A", task_type="intake", department="intake", created=at(11, 2), completed=at(11, 2, 12)),
    TaskRecord(case_id="A", task_type="review", department="review", created=at(11, 2, 12), completed=at(11, 5, 12)),
    TaskRecord(case_id="A", task_type="decision", department="decide", created=at(11, 5, 12), completed=at(11, 6, 17)),
    TaskRecord(case_id="B", task_type="intake", department="intake", created=at(11, 10, 16), completed=at(11, 10, 17)),
    TaskRecord(case_id="B", task_type="intake", department="intake", created=at(11, 11), completed=at(11, 12)),
    TaskRecord(case_id="B", task_type="decision", department="decide", created=at(11, 12), completed=at(11, 12, 10)),
    TaskRecord(case_id="C", task_type="review", department="review", created=at(11, 13, 16), completed=at(11, 16, 10)),
    TaskRecord(case_id="D", task_type="review", department="review", created=at(10, 5), completed=at(10, 20)),
    TaskRecord(case_id="D", task_type="decision", department="decide", created=at(11, 20), completed=at(11, 23)),
    TaskRecord(case_id="E", task_type="review", department="review", created=at(11, 18, 10), canceled=at(11, 20, 10)),
    TaskRecord(case_id="F", task_type="review", department="review", created=at(11, 23)),
    TaskRecord(case_id="G", task_type="review", department="review", created=at(9, 1)),
    TaskRecord(case_id="X", task_type="intake", department="intake", created=at(11, 2), completed=at(11, 3)),
)
STAGES = (
    StageRecord(case_id="A", element="review", started=at(11, 2, 12), ended=at(11, 5, 12)),
    StageRecord(case_id="C", element="review", started=at(11, 13, 16), ended=at(11, 16, 10)),
    StageRecord(case_id="D", element="review", started=at(10, 5), ended=at(10, 20)),
    StageRecord(case_id="E", element="review", started=at(11, 18, 10), ended=at(11, 20, 10), terminated=True),
    StageRecord(case_id="F", element="review", started=at(11, 23)),
    StageRecord(case_id="G", element="review", started=at(9, 1)),
    StageRecord(case_id="A", element="decision", started=at(11, 5, 12), ended=at(11, 6, 17)),
    StageRecord(case_id="B", element="decision", started=at(11, 12), ended=at(11, 12, 10)),
    StageRecord(case_id="D", element="decision", started=at(11, 20), ended=at(11, 23)),
    StageRecord(case_id="X", element="decision", started=at(11, 2), ended=at(11, 3)),
)
ROWS = KpiInput(
    cases=CASES,
    tasks=TASKS,
    stages=STAGES,
    incidents=(
        IncidentRecord(case_id="C", element="review", raised=at(11, 14)),
        IncidentRecord(case_id="G", element="review", raised=at(9, 5)),
        IncidentRecord(case_id="X", element="intake", raised=at(11, 2)),
    ),
    drafts=(
        DraftRecord(service="permit", created=at(10, 20), expires=at(11, 10)),
        DraftRecord(service="permit", created=at(11, 1), expires=at(11, 29)),
        DraftRecord(service="permit", created=at(11, 25), expires=at(12, 5)),  # not yet expired
        DraftRecord(service="permit", created=at(11, 1), expires=at(11, 30, 13)),  # after as_of
        DraftRecord(service="tax", created=at(11, 1), expires=at(11, 10)),
    ),
    answers=(
        SatisfactionRecord(service="permit", score=5, answered=at(11, 7)),
        SatisfactionRecord(service="permit", score=4, answered=at(11, 13)),
        SatisfactionRecord(service="permit", score=2, answered=at(11, 17)),
        SatisfactionRecord(service="permit", score=5, answered=at(10, 30)),  # before the period
        SatisfactionRecord(service="permit", score=1, answered=at(11, 30, 13)),  # after as_of
        SatisfactionRecord(service="tax", score=1, answered=at(11, 7)),
    ),
)


@pytest.fixture(scope="module")
def kpis() -> ServiceKpis:
    return compute_kpis(DEFINITION, ROWS, Period.of(PeriodKind.MONTH, dt.date(2026, 11, 1)), now=NOW)


def test_volumes_and_rates(kpis: ServiceKpis) -> None:
    assert kpis.as_of == NOW  # the month is not over: min(1 Dec 00:00, now)
    assert kpis.started == 6  # A B C E F H (D and G started before November)
    assert (kpis.completed, kpis.terminated) == (4, 1)  # A B C D completed, E terminated
    assert kpis.completion_rate.value == pytest.approx(4 / 5)
    assert kpis.digital_take_up.value == pytest.approx(4 / 6)  # A B E H online of the six started
    # drafts expired unsubmitted in [1 Nov, now): 10 Nov and 29 Nov; online applications: 4 -> 2 / (2 + 4)
    assert (kpis.abandonment.numerator, kpis.abandonment.denominator) == (2, 6)
    assert (kpis.csat.numerator, kpis.csat.denominator) == (2, 3)  # scores 5, 4, 2 in the period


def test_processing_time_calendar_and_working(kpis: ServiceKpis) -> None:
    # calendar: A Mon 2 09:00 -> Fri 6 17:00 = 104 h; B Tue 10 16:00 -> Thu 12 10:00 = 42 h;
    # C Fri 13 16:00 -> Mon 16 10:00 = 66 h; D Mon 5 Oct 09:00 -> Mon 23 Nov 09:00 = 49 days
    # sorted 42 h, 66 h, 104 h, 49 d; nearest rank: p50 -> ceil(0.5*4)=2nd, p90 -> ceil(3.6)=4th, p95 -> 4th
    assert kpis.processing.count == 4
    assert kpis.processing.calendar == (66 * HOUR, 49 * DAY, 49 * DAY)
    # working: A five full days = 40 h; B 1 h Tue + holiday Wed + 1 h Thu = 2 h; C 1 h Fri + weekend + 1 h Mon
    # = 2 h; D seven whole weeks = 35 days minus the holiday = 34 * 8 h = 272 h
    # sorted 2 h, 2 h, 40 h, 272 h: p50 2nd = 2 h, p90 and p95 4th = 272 h
    assert kpis.processing.working == (2 * HOUR, 272 * HOUR, 272 * HOUR)
    # target 14 days: D (49 days) breaches -> 3 / 4
    assert (kpis.sla.numerator, kpis.sla.denominator) == (3, 4)


def test_backlog_and_ageing(kpis: ServiceKpis) -> None:
    # open at Mon 30 Nov 12:00: F (7 d 3 h), G (1 Sep 09:00: 30 + 31 + 29 days + 3 h = 90.125 d), H (2 h)
    assert kpis.backlog == 3
    assert kpis.ageing == (1, 1, 0, 1)  # <=7 d: H; <=30 d: F; <=90 d: none; >90 d: G
    assert kpis.oldest_open_days == pytest.approx(90.125)


def test_incidents_rework_first_time_right(kpis: ServiceKpis) -> None:
    assert kpis.incidents_raised == 1  # C on 14 Nov (G's was in September, X is another service)
    assert (kpis.incident_rate.numerator, kpis.incident_rate.denominator) == (1, 5)  # C of A B C D E
    assert (kpis.rework_rate.numerator, kpis.rework_rate.denominator) == (1, 4)  # B did intake twice
    assert (kpis.first_time_right.numerator, kpis.first_time_right.denominator) == (2, 4)  # A and D


def test_cost_and_departments(kpis: ServiceKpis) -> None:
    # tasks completed in November: intake 3 (A, B, B) * 10.00 + review 2 (A, C) * 25.00
    # + decision 3 (A, B, D) * 40.00 = 30 + 50 + 120 = 200.00 EUR over 4 completed cases = 50.00
    assert kpis.cost_total == 20000
    assert kpis.cost_per_transaction == 5000
    assert kpis.departments == (
        DepartmentKpis(department="decide", tasks_completed=3, tasks_open=0),
        DepartmentKpis(department="intake", tasks_completed=3, tasks_open=0),
        # open review tasks: F and G (E's was canceled)
        DepartmentKpis(department="review", tasks_completed=2, tasks_open=2),
    )


def test_stage_sla_and_durations(kpis: ServiceKpis) -> None:
    review, decision = kpis.stages
    # review, target 5 days: A 3 d (working: 5 + 8 + 8 + 3 = 24 h), C 2 d 18 h (working 1 + 1 = 2 h);
    # D finished in October, E was terminated; F (7 d 3 h) and G are open and past 5 days
    assert (review.completed, review.sla.numerator, review.open_breaching) == (2, 2, 2)
    assert review.durations.calendar == (66 * HOUR, 72 * HOUR, 72 * HOUR)  # ranks 1, 2, 2 of two
    assert review.durations.working == (2 * HOUR, 24 * HOUR, 24 * HOUR)
    # decision, target 2 days: A 29 h (working 5 + 8 = 13 h), B 1 h (1 h), D Fri 20 09:00 -> Mon 23 09:00
    # = 72 h, a breach, though only 8 working hours (the weekend)
    assert (decision.completed, decision.sla.numerator, decision.sla.denominator) == (3, 2, 3)
    assert decision.open_breaching == 0
    assert decision.durations.calendar == (29 * HOUR, 72 * HOUR, 72 * HOUR)  # sorted 1, 29, 72 h: ranks 2, 3, 3
    assert decision.durations.working == (8 * HOUR, 13 * HOUR, 13 * HOUR)  # sorted 1, 8, 13 h


def test_a_closed_period_is_measured_at_its_end() -> None:
    october = compute_kpis(DEFINITION, ROWS, Period.parse("2026-10", clock=_Fixed()), now=NOW)
    assert october.as_of == at(11, 1, 0)
    # started in October: D only; open on 1 Nov 00:00: D (26.6 d), G (60.6 d); nothing finished in October
    assert (october.started, october.completed, october.backlog, october.ageing) == (1, 0, 2, (0, 1, 1, 0))
    assert october.sla.value is None
    assert october.cost_per_transaction is None
    assert october.processing.calendar == (None, None, None)
    # review stage: D finished 20 Oct after 15 days (target 5): a breach; G open since 1 Sep: breaching
    assert (october.stages[0].sla.numerator, october.stages[0].sla.denominator) == (0, 1)
    assert october.stages[0].open_breaching == 1


class _Fixed:
    def now(self) -> dt.datetime:
        return NOW
