"""The typed description of a reference service (what ships next to its model files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).parent


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A text in English and Dutch."""

    en: str
    nl: str

    def get(self, language: str) -> str:
        """The text in ``language`` (``nl-BE`` reads as ``nl``); English otherwise."""
        return self.nl if language.lower().split("-")[0] == "nl" else self.en


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """A step of the citizen's status timeline, reached when ``element`` completes."""

    element: str
    key: str
    label: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class StageTarget:
    """Service level for one stage: the element (user task, wait) and its target duration (ISO 8601)."""

    element: str
    label: Text
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KpiTargets:
    processing_time: str
    stages: tuple[StageTarget, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """A role within a department; ``group`` is the candidate group its tasks are offered to."""

    key: str
    group: str
    name: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Department:
    """A department: its key is the candidate group of its tasks and the name of its lane."""

    key: str
    name: Text
    roles: tuple[Role, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionSample:
    """An input for a DMN decision of the service with the outputs it must give (a subset)."""

    file: str
    decision: str
    inputs: Mapping[str, Any]
    expected: Mapping[str, Any]


class RetentionAction(StrEnum):
    """What happens to a case once its retention period is over (docs/security.md, "Erasure and retention")."""

    ANONYMISE = "anonymise"  # shred the subject's key, drop free text; the application row stays
    ERASE = "erase"  # the same, and the portal's application row and its documents are deleted


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    """How long a service's closed cases are kept (GDPR Art. 5(1)(e), 17(3)(b), 30(1)(f)).

    A case is kept ``after_days`` days after it ended (completed or cancelled), for the legal
    obligation or public task ``legal_basis`` names; then the worker applies ``action``. A case that
    ended at one of the ``kept_at`` end events is kept permanently (a granted permit stays with the
    building).
    """

    after_days: int
    action: RetentionAction
    legal_basis: Text
    kept_at: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.after_days < 0:
            raise ValueError("a retention period is 0 days or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceService:
    """One reference service: texts, files (relative to ``folder``), timeline, targets, organisation."""

    id: str
    process_id: str
    title: Text
    summary: Text
    bpmn: tuple[str, ...]
    dmn: tuple[str, ...]
    forms: tuple[str, ...]
    start_form: str
    milestones: tuple[Milestone, ...]
    kpis: KpiTargets
    departments: tuple[Department, ...]
    decision_samples: tuple[DecisionSample, ...]
    messages: tuple[str, ...]
    job_types: tuple[str, ...]
    retention: Retention | None = None  # None: no schedule, cases are kept until erased on request

    @property
    def folder(self) -> Path:
        return _ROOT / self.id

    @property
    def tests(self) -> Path:
        """The folder of the service's process-test scenarios."""
        return self.folder / "tests"

    def files(self) -> tuple[Path, ...]:
        """Every file to deploy: BPMN, then DMN, then forms."""
        return tuple(self.folder / name for name in (*self.bpmn, *self.dmn, *self.forms))
