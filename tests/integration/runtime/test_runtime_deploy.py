"""Deployments: versions by content hash, refusal of models that do not compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.errors import DeploymentError
from civicflow.runtime.models import Deployment, ProcessDefinition, Resource

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_new_version_only_when_the_content_changes(clock: VirtualClock, models: Path) -> None:
    first = services.deploy([models / "permit.bpmn"])
    again = services.deploy([models / "permit.bpmn"])
    changed = services.deploy([("permit.bpmn", (models / "permit_v2.bpmn").read_bytes())])

    assert [d.key for d in first.processes] == ["permit:1"]
    assert first.new == {"permit:1"}
    assert [d.key for d in again.processes] == ["permit:1"]
    assert again.new == frozenset()
    assert [d.key for d in changed.processes] == ["permit:2"]
    assert list(ProcessDefinition.objects.values_list("key", flat=True)) == ["permit:1", "permit:2"]
    assert services.definition_for("permit").version == 2
    assert services.definition_for("permit", 1).deployment_id == first.deployment.pk


def test_the_shared_benchmark_model_deploys_and_runs_to_the_end(clock: VirtualClock, bench_model: Path) -> None:
    services.deploy([bench_model])
    instance = services.start_instance("bench")
    assert instance.status == "completed"
    assert services.variables(instance.pk) == {"x": 7, "y": "A", "z1": 8, "z2": 9, "z3": 10}


def test_a_model_that_does_not_validate_is_refused_and_nothing_is_stored(clock: VirtualClock, models: Path) -> None:
    with pytest.raises(DeploymentError) as refused:
        services.deploy([models / "permit.bpmn", models / "broken.bpmn"])
    assert refused.value.file == "broken.bpmn"
    assert any("BPMN002" in d and "nowhere" in d for d in refused.value.diagnostics)
    assert "BPMN002" in str(refused.value)
    assert not Deployment.objects.exists()
    assert not Resource.objects.exists()
    assert not ProcessDefinition.objects.exists()


def test_unreadable_and_unknown_files_are_refused(clock: VirtualClock) -> None:
    with pytest.raises(DeploymentError, match="cannot be read as BPMN"):
        services.deploy([("x.bpmn", b"<not-xml")])
    with pytest.raises(DeploymentError, match=r"not a \.bpmn, \.dmn or \.form file"):
        services.deploy([("notes.txt", b"hello")])
    assert not Deployment.objects.exists()


def test_dmn_decisions_are_versioned_and_evaluated_by_business_rule_tasks(clock: VirtualClock, models: Path) -> None:
    first = services.deploy([models / "fee.bpmn", models / "fees.dmn"])
    assert [d.key for d in first.decisions] == ["PermitFee:1"]
    again = services.deploy([models / "fees.dmn"])
    assert [d.key for d in again.decisions] == ["PermitFee:1"]
    assert again.new == frozenset()

    small = services.start_instance("fee", variables={"area": 40})
    large = services.start_instance("fee", variables={"area": 80})
    assert (small.status, large.status) == ("completed", "completed")
    assert services.variables(small.pk)["fee"] == 120
    assert services.variables(large.pk)["fee"] == 300
