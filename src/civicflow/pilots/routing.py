"""Which version a new instance of a piloted process starts on (registered with the runtime)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from civicflow.feel import FeelError, evaluate
from civicflow.pilots._split import in_candidate_share
from civicflow.pilots.models import Pilot, PilotAssignment, PilotStatus
from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import ProcessDefinition, ProcessInstance
from civicflow.runtime.services import VersionRoute

__all__ = ["latest_version", "matches_rule", "route"]


def latest_version(process_id: str) -> int | None:
    found: int | None = (
        ProcessDefinition.objects.filter(process_id=process_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return found


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
    def started(instance: ProcessInstance) -> None:
        PilotAssignment.objects.create(
            pilot=pilot, instance=instance, candidate=candidate, assigned=current_clock().now()
        )

    return started


def _nothing(instance: ProcessInstance) -> None:
    """After a pilot ended, instances are not recorded: they are not part of the comparison."""


def route(process_id: str, business_key: str | None, variables: Mapping[str, Any]) -> VersionRoute | None:
    """The version of a new instance while a pilot of ``process_id`` runs or after it ended.

    The newest pilot of the process decides, unless a version newer than its candidate was deployed
    since: then the latest version applies again, as without pilots.
    """
    pilot = Pilot.objects.filter(process_id=process_id).select_related("current", "candidate").first()
    if pilot is None:
        return None
    latest = latest_version(process_id)
    if latest is not None and latest > pilot.candidate.version:
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
