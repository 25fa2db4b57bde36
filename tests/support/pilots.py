"""Pilot test helpers: the reference building permit as version 1 and a candidate version 2."""

from __future__ import annotations

from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services
from civicflow.services import service

__all__ = ["PROCESS", "deploy_versions"]

PROCESS = "building_permit"


def deploy_versions() -> None:
    """Version 1 (the reference model) and version 2 (the same with a comment: its hash differs)."""
    deploy_reference_services()
    bpmn = service(PROCESS).folder / "building_permit.bpmn"
    text = bpmn.read_text(encoding="utf-8").replace("?>", "?>\n<!-- candidate -->", 1)
    services.deploy([("building_permit.bpmn", text)], name="candidate")
