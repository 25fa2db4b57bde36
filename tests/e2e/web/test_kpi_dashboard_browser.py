"""The workbench's Performance pages in Chromium: axe-core in English and Dutch (the filter's error
state included), the period filter and the exports without JavaScript.

Demo history (tax refunds in September 2026) is generated and applied to the KPI read models by
a script run against the served platform's own database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

SEED = """
import random
from datetime import UTC, datetime
from django.contrib.auth.models import Group, User
from civicflow.runtime.demo import load
from civicflow.runtime.kpi_projection import catch_up

User.objects.create_user("mona", password=PASSWORD, is_staff=True).groups.add(
    Group.objects.get_or_create(name="assessment")[0]
)
load(15, rng=random.Random(5), service_ids=["tax_refund"], start=datetime(2026, 9, 1, tzinfo=UTC), months=1)
# a building permit waiting ten days in its completeness check (target five days): at risk
from datetime import timedelta
from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.clock import using_clock
with using_clock(VirtualClock(datetime.now(UTC) - timedelta(days=10))):
    services.start_instance("building_permit", business_key="BP-LATE-1", variables={
        "caseNumber": "BP-LATE-1", "applicantId": "citizen-1", "typeOfWork": "extension", "floorArea": 40,
        "heritageZone": False, "commercial": False})
catch_up()
# the worker may have pre-computed snapshots before this history existed; pages would serve those
# (stale-while-revalidate) until its next refresh: start from none, as after a deploy
from civicflow.web.models import KpiSnapshot
KpiSnapshot.objects.all().delete()
"""


@pytest.fixture(scope="module")
def manager(platform: Any) -> str:
    platform.django(f"PASSWORD = {PASSWORD!r}\n{SEED}", timeout=300)
    return "mona"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_performance_pages(
    new_page: Any, sign_in: Any, axe_source: str, manager: str, language: str
) -> None:
    # axe is injected inline, which the CSP forbids: these contexts alone bypass it
    page = new_page(language, bypass_csp=True)
    sign_in(page, manager)
    page.goto("/workbench/kpi/?period=2026-09")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#overview tbody tr").count() > 10
    assert_no_violations(page, axe_source)
    page.goto("/workbench/kpi/?period=2026-13")  # the filter's error state
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    page.goto("/workbench/kpi/tax_refund/?period=2026-09")
    assert page.locator("#trend tbody tr").count() == 12
    assert page.locator("#stages tbody tr").count() == 4
    assert page.locator("svg.workbench-assess-chart").count() == 1
    assert_no_violations(page, axe_source)
    page.goto("/workbench/kpi/building_permit/?department=intake")
    assert page.locator("#at-risk tbody tr th a").all_inner_texts() == ["BP-LATE-1"]
    assert_no_violations(page, axe_source)
    page.goto("/workbench/kpi/tax_refund/?kind=quarter&period=2026-09&department=assessment")
    assert page.locator("#kpis caption").inner_text().endswith("2026-Q3")
    assert_no_violations(page, axe_source)


def test_performance_works_without_javascript_and_by_keyboard(new_page: Any, sign_in: Any, manager: str) -> None:
    page = new_page("en", javascript=False)
    sign_in(page, manager)
    page.goto("/workbench/")
    page.get_by_role("link", name="Performance").click()
    page.wait_for_url("**/workbench/kpi/")
    # the filter by keyboard: the period field, then Enter submits the GET form
    page.focus("#period")
    page.keyboard.press("Control+A")  # the field holds the period shown (this month)
    page.keyboard.type("2026-09")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "period=2026-09" in page.url
    assert "Key figures in 2026-09" in page.locator("#overview caption").inner_text()
    started = page.locator('#overview tr[data-metric="started"] td').all_inner_texts()
    assert started[1] != "0"  # tax refunds: the second service
    page.get_by_role("link", name="Income tax refund").click()
    page.wait_for_url("**/workbench/kpi/tax_refund/**")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures of 2026-09 as CSV").click()
    assert download.value.suggested_filename == "tax_refund-kpis-2026-09.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("section,period,item,metric,value")
