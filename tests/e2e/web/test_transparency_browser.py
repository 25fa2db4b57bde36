"""The public transparency page in Chromium: axe-core on the index, a service page and the audit
checkpoints page in both languages, and the pages under the site's CSP (no inline script or style)
without signing in.

Satisfaction answers are seeded into the served platform's database for the two months before now:
five in the last month (published) and three in the month before (too few: not published), so the
page shows a chart bar, a suppressed month and months without data.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations

pytestmark = pytest.mark.e2e

SEED = """
from datetime import timedelta
from django.utils import timezone
from civicflow.portal.models import SatisfactionResponse

first = timezone.now().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
last_month = (first - timedelta(days=1)).replace(day=10)
month_before = (last_month - timedelta(days=20)).replace(day=10)
for number, score in enumerate([5, 4, 5, 2, 5]):
    SatisfactionResponse.objects.create(
        service="record_transfer", reference=f"TRANSPARENCY-A{number}", score=score, answered_at=last_month
    )
for number, score in enumerate([5, 1, 4]):
    SatisfactionResponse.objects.create(
        service="record_transfer", reference=f"TRANSPARENCY-B{number}", score=score, answered_at=month_before
    )
# answers do not move the KPI cursor, and the worker may have pre-computed the months' snapshots
# before they existed: start from none, as after a deploy
from civicflow.web.models import KpiSnapshot
KpiSnapshot.objects.all().delete()
# a signed checkpoint for the audit page, through the security app's own API
from civicflow.security import audit
audit.record(actor="e2e", action="transparency.seed", obj=("test", "transparency"))
audit.checkpoint()
"""


@pytest.fixture(scope="module")
def answers(platform: Any) -> None:
    platform.django(SEED)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_transparency_pages(
    new_page: Any, axe_source: str, answers: None, language: str
) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    page.goto("/portal/transparency/")
    assert page.locator("html").get_attribute("lang") == language
    assert (
        page.locator("h1").inner_text() == {"en": "Service performance", "nl": "Prestaties van onze diensten"}[language]
    )
    assert_no_violations(page, axe_source)
    page.locator("main a[href='/portal/transparency/record_transfer/']").click()
    page.wait_for_url("**/portal/transparency/record_transfer/")
    rows = page.locator("#user_satisfaction-table tbody tr")
    assert rows.count() == 12
    assert rows.nth(11).locator("td").first.inner_text() == {"en": "80.0%", "nl": "80,0%"}[language]
    suppressed = {"en": "Not published (fewer than 5)", "nl": "Niet gepubliceerd (minder dan 5)"}[language]
    assert rows.nth(10).locator("td").first.inner_text() == suppressed
    assert page.locator("svg.portal-transparency-chart").count() == 11
    assert_no_violations(page, axe_source)
    page.goto("/portal/transparency/audit/")
    title = {"en": "Signed checkpoints of the audit trail", "nl": "Ondertekende controlepunten van het auditlogboek"}
    assert page.locator("h1").inner_text() == title[language]
    assert page.locator("main dl.govuk-summary-list").count() >= 1
    assert_no_violations(page, axe_source)


def test_pages_render_under_the_csp_with_their_stylesheet_and_the_footer_links_to_them(
    new_page: Any, answers: None
) -> None:
    page = new_page("en")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.goto("/portal/")
    page.locator("footer a", has_text="Service performance").click()
    page.wait_for_url("**/portal/transparency/")
    page.goto("/portal/transparency/record_transfer/")
    chart = page.locator("svg.portal-transparency-chart").first
    # the external sheet applies: the chart scales to its column instead of its 640-unit viewBox
    assert chart.evaluate("svg => getComputedStyle(svg).display") == "block"
    assert chart.bounding_box()["width"] <= 640
    assert violations == []
