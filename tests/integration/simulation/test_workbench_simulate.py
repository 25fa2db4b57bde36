"""The workbench's Simulate page: fit on demand, scenario form, side-by-side results, access, Dutch."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.runtime.demo import load
from support.workbench import signed_in, staff

pytestmark = pytest.mark.django_db

PAGE = "/workbench/assess/simulate/"


@pytest.fixture
def history(db: Any) -> None:
    load(40, rng=random.Random(4), service_ids=["building_permit"], start=datetime(2025, 1, 6, tzinfo=UTC), months=1)


def test_fit_then_compare_a_scenario_side_by_side(history: None) -> None:
    client = signed_in(staff("maud", "zoning-head"))
    before = client.get(PAGE, {"service": "building_permit"})
    assert before.status_code == 200
    assert "No parameters have been fitted for this service yet." in before.content.decode()
    fitted = client.post(f"{PAGE}fit", {"service": "building_permit"})
    assert fitted.status_code == 302
    page = client.get(PAGE, {"service": "building_permit"}).content.decode()
    assert "Simulation against the history" in page
    assert 'id="staff-0"' in page
    result = client.get(PAGE, {"service": "building_permit", "run": "1", "staff-0": "40", "arrivals": "10"})
    body = result.content.decode()
    assert result.status_code == 200
    assert "Today and the scenario side by side" in body
    assert "Cycle time, mean" in body
    assert "<svg" in body
    assert "The mean cycle time goes from" in body


def test_bad_scenario_input_is_a_400_with_the_field_marked(history: None) -> None:
    client = signed_in(staff("maud", "zoning-head"))
    client.post(f"{PAGE}fit", {"service": "building_permit"})
    result = client.get(PAGE, {"service": "building_permit", "run": "1", "staff-0": "many", "arrivals": "-400"})
    body = result.content.decode()
    assert result.status_code == 400
    assert 'id="staff-0-error"' in body
    assert 'id="arrivals-error"' in body
    assert client.post(f"{PAGE}fit", {"service": "nope"}).status_code == 400


def test_fitting_without_history_says_so(db: Any) -> None:
    client = signed_in(staff("maud", "zoning-head"), "nl")
    result = client.post(f"{PAGE}fit", {"service": "tax_refund"})
    assert result.status_code == 409
    assert "Simuleer" in result.content.decode()


def test_caseworkers_may_not_simulate(db: Any) -> None:
    assert signed_in(staff("ingrid", "intake")).get(PAGE).status_code == 403


def test_the_fit_command_on_engine_history_makes_profiles_by_the_declared_attributes(db: Any, tmp_path: Path) -> None:
    load(150, rng=random.Random(5), service_ids=["building_permit"], start=datetime(2025, 1, 6, tzinfo=UTC), months=2)
    out = tmp_path / "params.json"
    command = ["simulate", "fit", "engine:building_permit", "--model", "building_permit", "--out", str(out)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "case profiles by buildingType, heritageZone: " in result.output  # floorArea is a measure
    profiles = json.loads(out.read_text())["profiles"]
    assert {p["values"].get("buildingType") for p in profiles} >= {"extension"}
    assert sum(p["share"] for p in profiles) == pytest.approx(1.0)
    pooled = CliRunner().invoke(app, [*command, "--attribute", "none"])
    assert pooled.exit_code == 0, pooled.output
    assert "case profiles" not in pooled.output
    assert "profiles" not in json.loads(out.read_text())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "kinds of case by Type of building work, The site is in a protected heritage zone, each with"),
        ("nl", "soorten zaken naar Soort bouwwerk, De locatie ligt in een beschermd stads- of dorpsgezicht, elk met"),
    ],
)
def test_the_page_says_which_kinds_of_case_the_fit_tells_apart(db: Any, language: str, expected: str) -> None:
    load(150, rng=random.Random(5), service_ids=["building_permit"], start=datetime(2025, 1, 6, tzinfo=UTC), months=2)
    client = signed_in(staff("maud", "zoning-head"), language)
    assert client.post(f"{PAGE}fit", {"service": "building_permit"}).status_code == 302
    page = client.get(PAGE, {"service": "building_permit"}).content.decode()
    assert expected in page
