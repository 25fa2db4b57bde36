"""Which version a new instance of a piloted process starts on (registered with the runtime)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from civicflow.feel import FeelError, evaluate
from civicflow.pilots._split import in_candidate_share
from civicflow.pilots.models import Pilot, PilotAssignment, PilotStatus
from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import ProcessDefinition
from civicflow.runtime.services import VersionRoute

__all__ = ["matches_rule", "route"]


def _superseded(pilot: Pilot) -> bool:
    """Whether a version newer than the pilot's candidate, with content of its own, was deployed.

    A redeploy of the current or the candidate model (``civicflow serve`` deploys the reference
    services at every start, as a new version when the latest differs) does not count: it would
    otherwise end every pilot of a reference service at the next restart.
    """
    newer = ProcessDefinition.objects.filter(process_id=pilot.process_id, version__gt=pilot.candidate.version)
    known = {pilot.current.content_hash, pilot.candidate.content_hash}
    return newer.exclude(content_hash__in=known).exists()


def matches_rule(rule: str, variables: Mapping[str, Any]) -> bool:
    """Whether the start variables satisfy the pilot's FEEL rule (an empty rule matches everything).

    A rule that does not evaluate to true (false, null, a missing variable, an error) keeps the
    instance on the current version: the safe side when in doubt.
    """
    if not rule.strip():
        return True
    try:
        return evaluate(rule, dict(variables)).value is True
    except FeelError:
        return False


def _record(pilot: Pilot, candidate: bool) -> Any:
    def started(instance_id: UUID) -> None:
        PilotAssignment.objects.create(
            pilot=pilot, instance_id=instance_id, candidate=candidate, assigned=current_clock().now()
        )

    return started


def _nothing(instance_id: UUID) -> None:
    """After a pilot ended, instances are not recorded: they are not part of the comparison."""


def route(process_id: str, business_key: str | None, variables: Mapping[str, Any]) -> VersionRoute | None:
    """The version of a new instance while a pilot of ``process_id`` runs or after it ended.

    The newest pilot of the process decides, unless a version newer than its candidate, with a
    model of its own, was deployed since: then the latest version applies again, as without pilots.
    """
    pilot = Pilot.objects.filter(process_id=process_id).select_related("current", "candidate").first()
    if pilot is None:
        return None
    if _superseded(pilot):
        return None
    if pilot.status == PilotStatus.ADOPTED:
        return VersionRoute(version=pilot.candidate.version, started=_nothing)
    if pilot.status == PilotStatus.STOPPED:
        return VersionRoute(version=pilot.current.version, started=_nothing)
    # Without a business key nothing makes the choice repeatable: a random key splits fairly anyway.
    key = business_key if business_key is not None else secrets.token_hex(16)
    candidate = matches_rule(pilot.rule, variables) and in_candidate_share(pilot.salt, key, pilot.share)
    version = pilot.candidate.version if candidate else pilot.current.version
    return VersionRoute(version=version, started=_record(pilot, candidate))
