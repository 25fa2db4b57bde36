"""The workbench's Simulate page in Chromium: axe-core in English and Dutch (not fitted, fitted,
results, an error state), and a scenario run without JavaScript.

Fitting needs history; the shared platform's history belongs to other tests, so parameters are put
into the signed-in session directly (as "Fit from history" would), made by hand for the building
permit model.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

USER = """
from django.contrib.auth.models import Group, User
if not User.objects.filter(username="simone").exists():
    User.objects.create_user("simone", password=PASSWORD, is_staff=True).groups.add(
        Group.objects.get_or_create(name="zoning-head")[0]
    )
"""

PARAMS = """
import datetime as dt
from django.contrib.sessions.backends.db import SessionStore
from civicflow.services import service
from civicflow.simulation import (
    ActivityParams, ArrivalParams, CaseProfile, Distribution, PoolParams, SimulationParams, load_model,
    params_to_dict,
)
permit = service("building_permit")
model = load_model((permit.folder / permit.bpmn[0]).read_bytes())
params = SimulationParams(
    process_id=model.process_id,
    start=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    arrival_days=30,
    observation_days=60,
    arrivals=ArrivalParams.constant(0.5),
    activities={n.id: ActivityParams(duration=Distribution.exponential(86400)) for n in model.nodes.values() if n.pool},
    pools={name: PoolParams(name=name, capacity=3) for name in model.pools},
    profiles=(
        CaseProfile(values={"buildingType": "shed"}, share=0.6),
        CaseProfile(values={"buildingType": "dwelling"}, share=0.3),
        CaseProfile(values={}, share=0.1),
    ),
)
session = SessionStore(session_key=SESSION)
session["workbench-simulation:building_permit"] = {
    "params": params_to_dict(params), "fitted_at": "2026-11-30T10:00:00+00:00",
    "mean_error": None, "p90_error": None, "ks": None,
}
session.save()
"""


@pytest.fixture(scope="module")
def head(platform: Any) -> str:
    platform.django(f"PASSWORD = {PASSWORD!r}\n{USER}")
    return "simone"


def _fit_by_hand(platform: Any, page: Any) -> None:
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    platform.django(f"SESSION = {session!r}\n{PARAMS}")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_simulate_page(
    new_page: Any, sign_in: Any, axe_source: str, platform: Any, head: str, language: str
) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, head)
    page.goto("/workbench/assess/simulate/?service=building_permit")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#staff-0").count() == 0  # not fitted yet
    assert_no_violations(page, axe_source)
    _fit_by_hand(platform, page)
    page.goto("/workbench/assess/simulate/?service=building_permit")
    assert page.locator("#staff-0").count() == 1
    kinds = {"en": "2 kinds of case by Type of building work", "nl": "2 soorten zaken naar Soort bouwwerk"}
    assert kinds[language] in page.locator("#fit ~ dl").inner_text()
    assert_no_violations(page, axe_source)
    page.goto("/workbench/assess/simulate/?service=building_permit&run=1&staff-0=4&arrivals=10")
    assert page.locator("#results").count() == 1
    assert page.locator("svg.workbench-assess-chart").count() == 1
    assert page.locator("main table tbody tr").count() > 10
    assert_no_violations(page, axe_source)
    page.goto("/workbench/assess/simulate/?service=building_permit&run=1&arrivals=lots")
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)


def test_a_scenario_runs_without_javascript(new_page: Any, sign_in: Any, platform: Any, head: str) -> None:
    page = new_page("en", javascript=False)
    sign_in(page, head)
    _fit_by_hand(platform, page)
    page.goto("/workbench/assess/")
    page.get_by_role("link", name="Simulate a change before you make it").click()
    page.wait_for_url("**/workbench/assess/simulate/")
    page.select_option("#service", "building_permit")
    page.get_by_role("button", name="Choose").click()
    page.wait_for_url("**service=building_permit**")
    page.fill("#staff-0", "5")
    page.get_by_role("button", name="Simulate", exact=True).click()
    page.wait_for_url("**run=1**")
    assert "Today and the scenario side by side" in page.locator("#results").inner_text()
    assert "The mean cycle time goes from" in page.locator("main").inner_text()
