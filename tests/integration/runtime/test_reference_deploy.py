"""`civicflow serve` deploys the reference services; doing it again adds no versions."""

from __future__ import annotations

import pytest

from civicflow.runtime import services
from civicflow.runtime.models import ProcessDefinition
from civicflow.runtime.reference import deploy_reference_services
from civicflow.services import REFERENCE_SERVICES

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_reference_services_deploy_once_and_start() -> None:
    first = deploy_reference_services()
    assert {d.process_id for r in first for d in r.processes} >= {s.process_id for s in REFERENCE_SERVICES}
    count = ProcessDefinition.objects.count()
    again = deploy_reference_services()
    assert ProcessDefinition.objects.count() == count  # unchanged files: no new versions
    assert not any(r.new for r in again)
    permit = next(s for s in REFERENCE_SERVICES if s.id == "building_permit")
    instance = services.start_instance(permit.process_id, variables={"caseNumber": "BP-1"})
    assert instance.status == "active"
