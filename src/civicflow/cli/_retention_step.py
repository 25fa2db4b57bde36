"""Retention schedules run by the worker: closed cases past their service's retention period are
anonymised or erased (docs/security.md, "Erasure and retention").

A service declares ``retention=Retention(after_days=N, action=erase|anonymise, ...)``. Once a case
has ended (completed or cancelled) N days ago, and did not end at one of the ``kept_at`` end events,
this step removes what cannot be sealed (``_erasure.neutralise_cases``; "erase" deletes the portal's
application row too) and shreds the case's key. A citizen with an account has one key for all their
cases, so that key is shredded only once none of their other cases is still kept; until then the
report says "key kept". A case under a legal hold is left alone. Each case done gets one audit entry
(``RetentionApplied``); a later run knows it is done because its own ``guest:`` key is shredded (or,
for "erase", because its application row is gone).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from civicflow.cli._erasure import (
    Blocker,
    Removed,
    case_hold_identities,
    case_identities,
    erasable_from,
    neutralise_cases,
    shred_all,
)
from civicflow.errors import ConfigurationError

if TYPE_CHECKING:
    from civicflow.portal.models import Application
    from civicflow.services import Retention

__all__ = ["CaseOutcome", "RetentionReport", "retention_interval", "retention_steps", "run_retention"]

ACTION: Final = "RetentionApplied"
_ACTOR: Final = "retention"
_CHUNK: Final = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseOutcome:
    reference: str
    service: str
    action: str  # the schedule's action, or "held" (legal hold: left alone)
    key: str  # "shredded" | "kept" (another case of the same citizen is still kept) | "held"
    removed: dict[str, int] = field(default_factory=dict)

    def line(self, *, dry_run: bool) -> str:
        if self.action == "held":
            return f"{self.reference} ({self.service}): under a legal hold, left alone"
        verb = {"erase": "erased", "anonymise": "anonymised"}[self.action]
        key = "key shredded" if self.key == "shredded" else "key kept: another case of this citizen is still kept"
        prefix = "would be " if dry_run else ""
        return f"{self.reference} ({self.service}): {prefix}{verb}, {key}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.reference,
            "service": self.service,
            "action": self.action,
            "key": self.key,
            "removed": self.removed,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionReport:
    now: datetime
    dry_run: bool
    cases: tuple[CaseOutcome, ...]

    def lines(self) -> list[str]:
        done = [case for case in self.cases if case.action != "held"]
        held = len(self.cases) - len(done)
        summary = f"{len(done)} case(s) past their retention period {'found' if self.dry_run else 'done'}"
        return [*(case.line(dry_run=self.dry_run) for case in self.cases), summary + f", {held} on legal hold"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "cases": [case.as_dict() for case in self.cases],
        }


def _done(references: Sequence[str]) -> set[str]:
    """The references whose case was done: its own ``guest:`` key is shredded (every run and every erasure
    shreds it), one indexed lookup per case rather than a search of the audit trail."""
    from civicflow.security import keys
    from civicflow.security.models import SubjectKey

    by_ref = {keys.reference(f"guest:{reference}"): reference for reference in references}
    hashed = list(by_ref)
    done: set[str] = set()
    for start in range(0, len(hashed), _CHUNK):
        shredded = SubjectKey.objects.filter(subject_ref__in=hashed[start : start + _CHUNK], shredded_at__isnull=False)
        done |= {by_ref[ref] for ref in shredded.values_list("subject_ref", flat=True)}
    return done


def _past(application: Application, now: datetime) -> bool:
    when = erasable_from(application)
    return not isinstance(when, Blocker) and (when is None or when <= now)


def due_cases(now: datetime, limit: int) -> list[tuple[Application, Retention]]:
    """Applications whose case is past its service's retention period and not yet done, oldest first."""
    from civicflow.portal.models import Application
    from civicflow.services import REFERENCE_SERVICES

    found: list[tuple[Application, Retention]] = []
    for item in REFERENCE_SERVICES:
        if item.retention is None:
            continue
        # a case ends after it is submitted: only those submitted before the cutoff can be past it
        candidates = list(
            Application.objects.filter(
                service=item.id, created__lte=now - timedelta(days=item.retention.after_days)
            ).order_by("created", "pk")
        )
        # an erased subject's case is done, but an "erase" schedule still deletes its application row
        done = set() if item.retention.action == "erase" else _done([app.reference for app in candidates])
        for application in candidates:
            if application.reference not in done and _past(application, now):
                found.append((application, item.retention))
                if len(found) >= limit:
                    return found
    return found


def _key_kept(application: Application, due: set[int], now: datetime) -> bool:
    """Whether another case of the same account still needs the account's key."""
    from civicflow.portal.models import Application

    if application.account_id is None:
        return False
    others = [
        other
        for other in Application.objects.filter(account_id=application.account_id).exclude(pk=application.pk)
        if other.pk not in due
    ]
    done = _done([other.reference for other in others])
    return any(other.reference not in done and not _past(other, now) for other in others)


def _apply(application: Application, retention: Retention, *, key_kept: bool) -> CaseOutcome:
    from django.db import transaction

    from civicflow.security import audit

    removed = Removed()
    identities = case_identities(application)
    with transaction.atomic():
        shredding = identities[-1:] if key_kept else identities  # the guest identity is this case's alone
        removed.add("keys_shredded", shred_all(shredding))
        neutralise_cases([application], delete_rows=retention.action == "erase", removed=removed)
        details = {"service": application.service, "action": str(retention.action), "removed": dict(removed.counts)}
        audit.record(actor=_ACTOR, action=ACTION, obj=("application", application.reference), details=details)
    return CaseOutcome(
        reference=application.reference,
        service=application.service,
        action=str(retention.action),
        key="kept" if key_kept else "shredded",
        removed=dict(removed.counts),
    )


def run_retention(now: datetime, *, dry_run: bool = False, limit: int = 200) -> RetentionReport:
    """Anonymise or erase up to ``limit`` cases past their retention period (none with ``dry_run``)."""
    from civicflow.security import keys

    found = due_cases(now, limit)
    due = {application.pk for application, _retention in found}
    outcomes: list[CaseOutcome] = []
    for application, retention in found:
        ref, service = application.reference, application.service
        if any(keys.on_hold(identity) for identity in case_hold_identities(application)):
            outcomes.append(CaseOutcome(reference=ref, service=service, action="held", key="held"))
            continue
        kept = _key_kept(application, due, now)
        if dry_run:
            action = str(retention.action)
            outcomes.append(
                CaseOutcome(reference=ref, service=service, action=action, key="kept" if kept else "shredded")
            )
        else:
            outcomes.append(_apply(application, retention, key_kept=kept))
    return RetentionReport(now=now, dry_run=dry_run, cases=tuple(outcomes))


def retention_interval() -> float:
    """``CIVICFLOW_RETENTION_INTERVAL``: seconds between two retention runs of the worker (60..604800)."""
    text = os.environ.get("CIVICFLOW_RETENTION_INTERVAL", "3600").strip()
    try:
        seconds = int(text)
    except ValueError:
        seconds = -1
    if not 60 <= seconds <= 604_800:
        raise ConfigurationError(f"CIVICFLOW_RETENTION_INTERVAL must be 60 to 604800 seconds, not {text!r}")
    return float(seconds)


def retention_steps() -> list[Callable[[], object]]:
    """The worker's retention step: :func:`run_retention` on the runtime's clock every interval."""
    from civicflow.runtime.clock import current_clock
    from civicflow.web.mail import every

    def retention() -> object:
        return run_retention(current_clock().now())

    return [every(retention_interval(), retention)]
