"""Starting, reading, adopting and stopping pilots; every change is audited (see docs/pilots.md)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count

from civicflow.feel import FeelError
from civicflow.feel import compile as feel_compile
from civicflow.kpi import Arm, Period, PeriodKind, VersionComparison, compare_versions
from civicflow.pilots.models import Pilot, PilotAssignment, PilotStatus
from civicflow.runtime.clock import current_clock
from civicflow.runtime.errors import CommandRefusedError, NotFoundError, RuntimeServiceError
from civicflow.runtime.models import InstanceStatus, ProcessDefinition
from civicflow.runtime.services import migrate_instances
from civicflow.security import audit
from civicflow.services import find
from civicflow.web.kpis import kpi_definition, service_rows

__all__ = [
    "PilotRefusedError",
    "Summary",
    "adopt",
    "compare",
    "get",
    "start",
    "stop",
    "summary",
]


class PilotRefusedError(CommandRefusedError):
    """A pilot cannot be started, adopted or stopped as asked; nothing changed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """How many new instances each version got, and how many of those are still running."""

    current: int
    candidate: int
    running_current: int
    running_candidate: int

    @property
    def candidate_share(self) -> float | None:
        total = self.current + self.candidate
        return None if total == 0 else self.candidate / total


def _definition(process_id: str, version: int) -> ProcessDefinition:
    found = ProcessDefinition.objects.filter(process_id=process_id, version=version).first()
    if found is None:
        raise NotFoundError(f"no deployed process {process_id!r} version {version}", kind="process", key=process_id)
    return found


def _share(value: str | float | Decimal) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise PilotRefusedError(f"share {value!r} is not a number", command="StartPilot") from None
    if not Decimal(0) < share <= Decimal(1):
        raise PilotRefusedError(f"share {value} is not in (0, 1]: give e.g. 0.3 for 30%", command="StartPilot")
    return share.quantize(Decimal("0.0001"))


def get(pilot_id: int) -> Pilot:
    found = Pilot.objects.select_related("current", "candidate").filter(pk=pilot_id).first()
    if found is None:
        raise NotFoundError(f"no pilot {pilot_id}", kind="pilot", key=pilot_id)
    return found


def start(
    process_id: str,
    *,
    candidate: int,
    share: str | float | Decimal,
    actor: str,
    current: int | None = None,
    rule: str = "",
    note: str = "",
) -> Pilot:
    """Start a pilot: ``share`` of new instances (of those matching the FEEL ``rule``) go to version
    ``candidate``, the rest to ``current`` (default: the latest version below the candidate)."""
    candidate_row = _definition(process_id, candidate)
    if current is None:
        below = ProcessDefinition.objects.filter(process_id=process_id, version__lt=candidate).order_by("-version")
        current_row = below.first()
        if current_row is None:
            raise PilotRefusedError(
                f"{process_id!r} has no version below {candidate} to compare with", command="StartPilot"
            )
    else:
        current_row = _definition(process_id, current)
    if current_row.pk == candidate_row.pk:
        raise PilotRefusedError("the candidate and the current version are the same", command="StartPilot")
    if rule.strip():
        try:
            feel_compile(rule)
        except FeelError as error:
            raise PilotRefusedError(f"the rule is not FEEL: {error}", command="StartPilot") from None
    try:
        with transaction.atomic():
            pilot = Pilot.objects.create(
                process_id=process_id,
                current=current_row,
                candidate=candidate_row,
                share=_share(share),
                rule=rule.strip(),
                salt=secrets.token_hex(8),
                started=current_clock().now(),
                started_by=actor,
                note=note,
            )
            audit.record(
                actor=actor,
                action="PilotStarted",
                obj=("pilot", str(pilot.pk)),
                details={
                    "process": process_id,
                    "current": current_row.key,
                    "candidate": candidate_row.key,
                    "share": str(pilot.share),
                    "rule": bool(pilot.rule),
                },
            )
    except IntegrityError:
        raise PilotRefusedError(f"a pilot of {process_id!r} is already running", command="StartPilot") from None
    return pilot


def _end(pilot_id: int, status: PilotStatus, actor: str, details: Mapping[str, Any]) -> Pilot:
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().select_related("current", "candidate").filter(pk=pilot_id).first()
        if pilot is None:
            raise NotFoundError(f"no pilot {pilot_id}", kind="pilot", key=pilot_id)
        if pilot.status != PilotStatus.RUNNING:
            raise PilotRefusedError(f"pilot {pilot_id} is already {pilot.status}", command=f"{status.label}Pilot")
        pilot.status = status
        pilot.ended = current_clock().now()
        pilot.ended_by = actor
        pilot.save(update_fields=["status", "ended", "ended_by"])
        action = "PilotAdopted" if status == PilotStatus.ADOPTED else "PilotStopped"
        audit.record(actor=actor, action=action, obj=("pilot", str(pilot.pk)), details=dict(details))
    return pilot


def adopt(pilot_id: int, *, actor: str, migrate: Mapping[str, str] | None = None) -> tuple[Pilot, list[str]]:
    """Every new instance goes to the candidate from now on; with ``migrate`` (an element mapping,
    possibly empty) the running instances of the current version move to the candidate too.

    The migration is all or nothing and happens first: when it is refused, the pilot keeps running.
    """
    pilot = get(pilot_id)
    if pilot.status != PilotStatus.RUNNING:
        raise PilotRefusedError(f"pilot {pilot_id} is already {pilot.status}", command="AdoptPilot")
    moved: list[str] = []
    if migrate is not None:
        try:
            moved = [str(i) for i in migrate_instances(pilot.current, pilot.candidate, dict(migrate))]
        except RuntimeServiceError as error:
            raise PilotRefusedError(
                f"running instances cannot move to the candidate: {error}", command="AdoptPilot"
            ) from error
    adopted = _end(pilot_id, PilotStatus.ADOPTED, actor, {"migrated": len(moved)})
    return adopted, moved


def stop(pilot_id: int, *, actor: str) -> Pilot:
    """No new instance goes to the candidate; its running instances finish on their version."""
    return _end(pilot_id, PilotStatus.STOPPED, actor, {})


def summary(pilot: Pilot) -> Summary:
    rows = (
        PilotAssignment.objects.filter(pilot=pilot)
        .values_list("candidate", "instance__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[bool, str], int] = {(bool(c), str(s)): int(n) for c, s, n in rows}
    active = str(InstanceStatus.ACTIVE)
    return Summary(
        current=sum(n for (c, _), n in counts.items() if not c),
        candidate=sum(n for (c, _), n in counts.items() if c),
        running_current=counts.get((False, active), 0),
        running_candidate=counts.get((True, active), 0),
    )


def compare(pilot: Pilot, *, now: dt.datetime | None = None) -> VersionComparison | None:
    """Both versions' KPIs from the pilot's start until now; None for a process that is not a
    catalogue service (its SLA target and costs are declared there)."""
    service = find(pilot.process_id)
    if service is None:
        return None
    moment = now or current_clock().now()
    # from the pilot's start until now: a case started in the pilot counts when it finishes, even
    # after the pilot ended (the kind only names the period; compute_kpis reads start and end)
    period = Period(
        kind=PeriodKind.DAY, label=f"pilot {pilot.pk}", start=pilot.started, end=moment + dt.timedelta(microseconds=1)
    )
    arms = {
        str(instance): Arm.CANDIDATE if candidate else Arm.CURRENT
        for instance, candidate in PilotAssignment.objects.filter(pilot=pilot).values_list("instance_id", "candidate")
    }
    return compare_versions(kpi_definition(service), service_rows(service, period), arms, period, now=moment)
