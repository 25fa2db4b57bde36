"""The reference services that ship with CivicFlow: a building permit, a tax refund claim and a
patient record transfer. Each is BPMN, DMN and form-js files in a folder of this package, with
process tests in ``<folder>/tests``; ``REFERENCE_SERVICES`` describes them (texts in English and
Dutch, status-timeline milestones, KPI targets, departments and roles). See
docs/reference-services.md.
"""

from civicflow.services._catalogue import REFERENCE_SERVICES
from civicflow.services._labels import start_field_label
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
    "find",
    "service",
    "start_field_label",
]


def service(service_id: str) -> ReferenceService:
    """The reference service with this id; ``KeyError`` when there is none."""
    for item in REFERENCE_SERVICES:
        if item.id == service_id:
            return item
    raise KeyError(service_id)


def find(key: str) -> ReferenceService | None:
    """The reference service whose id or process id is ``key``; None when there is none."""
    return next((item for item in REFERENCE_SERVICES if key in {item.id, item.process_id}), None)
