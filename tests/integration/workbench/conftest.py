"""Fixtures for the workbench: the building-permit reference service, a case and staff accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from civicflow.services import service
from support.workbench import APPLICATION, staff


@pytest.fixture
def permit_case(db: Any) -> ProcessInstance:
    """A building-permit case waiting in Intake's completeness check."""
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    return services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)


@pytest.fixture
def intake_task(permit_case: ProcessInstance) -> UserTask:
    return UserTask.objects.get(instance=permit_case, element_id="check_completeness")


@pytest.fixture
def caseworker(db: Any) -> User:
    return staff("ingrid", "intake")


@pytest.fixture
def colleague(db: Any) -> User:
    return staff("ivo", "intake")


@pytest.fixture
def outsider(db: Any) -> User:
    return staff("frank", "fire-safety")
