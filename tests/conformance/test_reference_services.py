"""The reference services (civicflow.services): every process test passes straight and with the
state restored after every command, every model validates without errors, every form loads,
every DMN sample evaluates to its expected outputs, and the files refer to each other correctly."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from civicflow import bpmn, dmn
from civicflow.engine.scenario import run_scenario
from civicflow.forms import load_form
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from civicflow.services._generate import SOURCES
from civicflow.services._layout import write_bpmn

SCENARIOS = [(s, p) for s in REFERENCE_SERVICES for p in sorted(s.tests.glob("*.yaml"))]
BPMN_FILES = [(s, name) for s in REFERENCE_SERVICES for name in s.bpmn]
FORM_FILES = [(s, name) for s in REFERENCE_SERVICES for name in s.forms]
SAMPLES = [(s, sample) for s in REFERENCE_SERVICES for sample in s.decision_samples]


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "restore"])
@pytest.mark.parametrize(("service", "path"), SCENARIOS, ids=[f"{s.id}/{p.stem}" for s, p in SCENARIOS])
def test_scenario(service: ReferenceService, path: Path, restore: bool) -> None:
    result = run_scenario(path, restore=restore)
    assert result.passed, "\n".join(result.failures)


@pytest.mark.parametrize("service", REFERENCE_SERVICES, ids=[s.id for s in REFERENCE_SERVICES])
def test_every_service_has_its_exception_paths_tested(service: ReferenceService) -> None:
    assert len(list(service.tests.glob("*.yaml"))) >= 4


@pytest.mark.parametrize(("service", "name"), BPMN_FILES, ids=[f"{s.id}/{n}" for s, n in BPMN_FILES])
def test_model_validates_without_errors(service: ReferenceService, name: str) -> None:
    diagnostics = bpmn.validate(bpmn.load(service.folder / name))
    errors = [d for d in diagnostics if d.severity == bpmn.Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize(("service", "name"), BPMN_FILES, ids=[f"{s.id}/{n}" for s, n in BPMN_FILES])
def test_model_file_is_what_the_generator_writes(service: ReferenceService, name: str) -> None:
    spec = SOURCES[service.id].SPEC
    assert (service.folder / name).read_text(encoding="utf-8") == write_bpmn(spec), (
        "regenerate with: python -m civicflow.services._generate"
    )


@pytest.mark.parametrize(("service", "name"), FORM_FILES, ids=[f"{s.id}/{n}" for s, n in FORM_FILES])
def test_form_loads_with_dutch_labels(service: ReferenceService, name: str) -> None:
    text = (service.folder / name).read_text(encoding="utf-8")
    form = load_form(text)
    assert form.id == Path(name).stem
    for component in json.loads(text)["components"]:
        if "label" in component:
            assert component["properties"].get("label:nl"), component["key"]


@pytest.mark.parametrize(("service", "sample"), SAMPLES, ids=[f"{s.id}/{x.decision}" for s, x in SAMPLES])
def test_decision_sample(service: ReferenceService, sample: Any) -> None:
    model = dmn.load(service.folder / sample.file)
    result = model.evaluate(sample.decision, dict(sample.inputs))
    assert not result.warnings
    for name, expected in sample.expected.items():
        assert result.outputs[name] == _decimals(expected)


def _decimals(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("service", REFERENCE_SERVICES, ids=[s.id for s in REFERENCE_SERVICES])
def test_references_between_files_resolve(service: ReferenceService) -> None:
    text = "".join((service.folder / name).read_text(encoding="utf-8") for name in service.bpmn)
    ids = set(re.findall(r' id="([^"]+)"', text))
    forms = {Path(name).stem for name in service.forms}
    assert set(re.findall(r'formId="([^"]+)"', text)) == forms
    assert service.start_form in forms
    decisions = "".join((service.folder / name).read_text(encoding="utf-8") for name in service.dmn)
    for decision in re.findall(r'decisionId="([^"]+)"', text):
        assert f'<decision id="{decision}"' in decisions
    for element in [m.element for m in service.milestones] + [s.element for s in service.kpis.stages]:
        assert element in ids
    job_types = set(re.findall(r'<zeebe:taskDefinition type="([^"]+)"', text))
    assert job_types == set(service.job_types)
    groups = {role.group for department in service.departments for role in department.roles}
    for written in re.findall(r'candidateGroups="([^"]+)"', text):
        assert written in groups
    for message in service.messages:
        assert f'name="{message}"' in text


def test_service_ids_are_unique_and_texts_are_bilingual() -> None:
    assert len({s.id for s in REFERENCE_SERVICES}) == len(REFERENCE_SERVICES)
    for s in REFERENCE_SERVICES:
        for text in (s.title, s.summary, *(m.label for m in s.milestones)):
            assert text.en
            assert text.nl
            assert text.en != text.nl
