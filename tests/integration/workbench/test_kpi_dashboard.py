"""The workbench's Performance pages: figures equal service_kpis, filters, exports, access, languages."""

from __future__ import annotations

import csv
import html as markup
import io
import random
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from civicflow.engine import VirtualClock
from civicflow.kpi import Period, PeriodKind
from civicflow.runtime.demo import load
from civicflow.runtime.kpi_projection import catch_up
from civicflow.services import REFERENCE_SERVICES, service
from civicflow.web.kpis import service_kpis, trend
from civicflow.workbench._kpi_format import headline
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db

JANUARY = Period.of(PeriodKind.MONTH, date(2025, 1, 1))


@pytest.fixture
def manager(db: Any) -> User:
    return staff("maud", "zoning-head")


@pytest.fixture
def demo(db: Any) -> None:
    """Twelve tax-refund cases in January 2025 (and their ends in February), applied to the read models."""
    load(12, rng=random.Random(2), service_ids=["tax_refund"], start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    catch_up()


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The rows of the table with this id, as cell texts (header cells included)."""
    start = page.index(f'id="{table_id}"')
    body = page[page.index("<tbody", start) : page.index("</tbody>", start)]
    cells = r"<t[hd][^>]*>(.*?)</t[hd]>"
    return [
        [markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(cells, row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_overview_shows_every_service_with_the_figures_of_service_kpis(demo: None, manager: User) -> None:
    expected = [service_kpis(item, JANUARY) for item in REFERENCE_SERVICES]
    page = signed_in(manager).get("/workbench/kpi/?period=2025-01").content.decode()
    assert "Key figures in 2025-01" in page
    rows = {row[0]: row[1:] for row in _cells(page, "overview")}
    for column, kpis in enumerate(expected):
        for metric in headline(kpis):
            assert rows[metric.label][column] == metric.display, metric.key
    started = {s.id: kpis.started for s, kpis in zip(REFERENCE_SERVICES, expected, strict=True)}
    assert started["tax_refund"] > 5
    assert started["building_permit"] == started["record_transfer"] == 0
    assert rows["Cases started"] == [str(started[s.id]) for s in REFERENCE_SERVICES]
    assert 'aria-current="page"' in page.split("Performance</a>")[0].rsplit("<li", 1)[1]


def test_service_page_shows_kpis_stages_departments_and_a_trend_of_twelve_periods(demo: None, manager: User) -> None:
    tax = service("tax_refund")
    kpis = service_kpis(tax, JANUARY)
    page = signed_in(manager).get("/workbench/kpi/tax_refund/?period=2025-01").content.decode()
    assert {row[0]: row[1] for row in _cells(page, "kpis")} == {m.label: m.display for m in headline(kpis)}
    stages = _cells(page, "stages")
    assert [row[0] for row in stages] == ["First review", "Second review", "Senior decision", "Bank payout"]
    assert [int(row[2]) for row in stages] == [stage.completed for stage in kpis.stages]
    departments = {row[0]: row[1:3] for row in _cells(page, "departments")}
    assert departments == {
        {"assessment": "Assessment", "assessment-senior": "Senior assessor", "control": "Control"}.get(
            d.department, d.department
        ): [str(d.tasks_completed), str(d.tasks_open)]
        for d in kpis.departments
    }
    trend = _cells(page, "trend")
    assert [row[0] for row in trend] == [f"2024-{m:02d}" for m in range(2, 13)] + ["2025-01"]
    assert trend[-1][1:3] == [str(kpis.started), str(kpis.completed)]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'aria-hidden="true"' in page
    assert "Processing time p90 was " in page or "Processing time p90: no figure" in page
    # the department filter narrows stages and departments to one department
    page = signed_in(manager).get("/workbench/kpi/tax_refund/?period=2025-01&department=control").content.decode()
    assert [row[0] for row in _cells(page, "stages")] == ["Second review"]
    assert [row[0] for row in _cells(page, "departments")] == ["No tasks in this selection."]
    # a department's roles count towards it (the senior assessors' decision is Assessment's)
    page = signed_in(manager).get("/workbench/kpi/tax_refund/?period=2025-01&department=assessment").content.decode()
    assert [row[0] for row in _cells(page, "stages")] == ["First review", "Senior decision"]
    assert [row[0] for row in _cells(page, "departments")] == ["Assessment"]


@pytest.mark.postgres
def test_a_trend_computed_from_one_read_equals_service_kpis_of_each_period(demo: None) -> None:
    tax = service("tax_refund")
    for kind, label in ((PeriodKind.MONTH, "2025-02"), (PeriodKind.WEEK, "2025-W06"), (PeriodKind.DAY, "2025-01-20")):
        last = Period.of(kind, Period.parse(label, clock=VirtualClock(datetime.now(UTC))).start.date())
        figures = trend(tax, last, 6)  # no snapshots yet: all six from one read of the read models
        assert [f.kpis.period for f in figures][-1] == last
        assert any(f.kpis.completed for f in figures) or kind is PeriodKind.DAY
        for item in figures:
            assert item.kpis == service_kpis(tax, item.kpis.period), item.kpis.period.label


@pytest.mark.postgres
def test_exports_hold_the_numbers_of_service_kpis(demo: None, manager: User) -> None:
    tax = service("tax_refund")
    kpis = service_kpis(tax, JANUARY)
    client = signed_in(manager)
    response = client.get("/workbench/kpi/tax_refund/export.xlsx?period=2025-01")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tax_refund-kpis-2025-01.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["kpis", "stages", "departments", "trend"]
    sheet = list(book["kpis"].iter_rows(values_only=True))
    assert sheet[0] == ("period", "metric", "label", "value")
    assert {row[1]: row[3] for row in sheet[1:]} == {m.key: m.value for m in headline(kpis)}
    values = {row[1]: row[3] for row in sheet[1:]}
    assert values["started"] == kpis.started > 5
    assert values["processing_calendar_p90_seconds"] == kpis.processing.calendar[1]
    stages = list(book["stages"].iter_rows(values_only=True))
    assert [(row[1], row[4], row[5]) for row in stages[1:]] == [
        (s.element, s.completed, s.sla.value) for s in kpis.stages
    ]
    departments = list(book["departments"].iter_rows(values_only=True))
    assert [(row[1], row[2], row[3]) for row in departments[1:]] == [
        (d.department, d.tasks_completed, d.tasks_open) for d in kpis.departments
    ]
    trend = list(book["trend"].iter_rows(values_only=True))
    assert len(trend) == 13
    assert trend[-1][:3] == ("2025-01", kpis.started, kpis.completed)

    response = client.get("/workbench/kpi/tax_refund/export.csv?period=2025-01")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tax_refund-kpis-2025-01.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    figures = {r["metric"]: r["value"] for r in rows if r["section"] == "kpis"}
    assert figures["started"] == str(kpis.started)
    assert figures["completed"] == str(kpis.completed)
    completed = {r["item"]: r["value"] for r in rows if r["section"] == "stages" and r["metric"] == "completed"}
    assert completed == {s.element: str(s.completed) for s in kpis.stages}


def test_period_filter_kinds_labels_and_errors(manager: User) -> None:
    client = signed_in(manager)
    page = client.get("/workbench/kpi/?kind=quarter&period=2025-02").content.decode()
    assert "Key figures in 2025-Q1" in page
    assert 'value="2025-Q1"' in page
    assert "Key figures in 2025-W02" in client.get("/workbench/kpi/?kind=week&period=2025-01-06").content.decode()
    assert "Key figures in 2025" in client.get("/workbench/kpi/?period=2025").content.decode()
    for query in ("period=2025-13", "kind=decade", "period=" + "9" * 40, "period=0000"):
        response = client.get(f"/workbench/kpi/?{query}")
        assert response.status_code == 400, query
        assert "There is a problem" in response.content.decode()
        assert 'id="overview"' not in response.content.decode()
    response = client.get("/workbench/kpi/building_permit/?period=2025-01&department=nobody")
    assert response.status_code == 400
    assert "Choose one of the service’s departments" in response.content.decode()
    response = client.get("/workbench/kpi/tax_refund/export.csv?period=soon")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert client.get("/workbench/kpi/nothing/").status_code == 404
    assert client.get("/workbench/kpi/tax_refund/export.pdf?period=2025").status_code == 404
    assert client.post("/workbench/kpi/").status_code == 405


def test_only_staff_see_the_dashboards(db: Any) -> None:
    from django.test import Client

    anonymous = Client().get("/workbench/kpi/")
    assert anonymous.status_code == 302
    assert "/workbench/sign-in" in anonymous["Location"]
    citizen = staff("carl", is_staff=False)
    assert signed_in(citizen).get("/workbench/kpi/tax_refund/").status_code == 403
    assert signed_in(citizen).get("/workbench/kpi/tax_refund/export.csv").status_code == 403


def test_pages_in_dutch(manager: User) -> None:
    page = signed_in(manager, "nl").get("/workbench/kpi/building_permit/?period=2025-01").content.decode()
    assert '<html lang="nl"' in page
    assert ">Prestaties</a>" in page
    assert "Belangrijkste cijfers in 2025-01" in page
    assert "Volledigheidstoets" in page


def test_a_page_with_its_figures_cached_costs_a_few_queries(demo: None, manager: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(manager)
    # session, user, the KPI cursor, the snapshots; the service page: the cursor and at-risk snapshot
    # one of them reads the account's groups: the policy's role (civicflow.security.policy, deny by default)
    for url, queries in (("/workbench/kpi/tax_refund/?period=2025-01", 7), ("/workbench/kpi/?period=2025-01", 5)):
        assert client.get(url).status_code == 200  # computes and keeps the figures
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) == queries, [q["sql"][:80] for q in captured]
        assert not any("runtime_kpi" in q["sql"] and "kpicursor" not in q["sql"] for q in captured)
