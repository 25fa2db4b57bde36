"""The reference services that ship with CivicFlow: a building permit, a tax refund claim and a
patient record transfer. Each is BPMN, DMN and form-js files in a folder of this package, with
process tests in ``<folder>/tests``; ``REFERENCE_SERVICES`` describes them (texts in English and
Dutch, status-timeline milestones, KPI targets, departments and roles). See
docs/reference-services.md.
"""

from civicflow.services._catalogue import REFERENCE_SERVICES
from civicflow.services._types import (
    DecisionSample,
    Department,
    KpiTargets,
    Milestone,
    ReferenceService,
    Retention,
    RetentionAction,
    Role,
    StageTarget,
    Text,
)

__all__ = [
    "REFERENCE_SERVICES",
    "DecisionSample",
    "Department",
    "KpiTargets",
    "Milestone",
    "ReferenceService",
    "Retention",
    "RetentionAction",
    "Role",
    "StageTarget",
    "Text",
    "service",
]


def service(service_id: str) -> ReferenceService:
    """The reference service with this id; ``KeyError`` when there is none."""
    for item in REFERENCE_SERVICES:
        if item.id == service_id:
            return item
    raise KeyError(service_id)
