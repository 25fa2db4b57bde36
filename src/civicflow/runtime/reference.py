"""Deploy the reference services that ship with CivicFlow (``civicflow serve`` does it at start).

Deploying is idempotent: a service gets a new version only when one of its files changed, so a
restart never piles up versions.
"""

from __future__ import annotations

from civicflow.runtime.services import DeploymentResult, deploy
from civicflow.services import REFERENCE_SERVICES

__all__ = ["deploy_reference_services"]


def deploy_reference_services() -> list[DeploymentResult]:
    """Deploy every reference service, one deployment each, named after the service id."""
    return [deploy(service.files(), name=f"reference:{service.id}") for service in REFERENCE_SERVICES]
