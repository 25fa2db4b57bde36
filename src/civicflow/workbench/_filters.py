"""The inbox's filters and sorting, read from the query string (a plain GET form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from civicflow.runtime.models import UserTask

__all__ = ["InboxFilter", "Priority", "Sort", "Status", "read_filter"]

_E = TypeVar("_E", bound=StrEnum)


class Status(StrEnum):
    ANY = ""
    UNCLAIMED = "unclaimed"
    CLAIMED = "claimed"
    MINE = "mine"


class Priority(StrEnum):
    ANY = ""
    HIGH = "high"  # 67 and above (Camunda's scale: 0-100, 50 by default)
    NORMAL = "normal"
    LOW = "low"  # 33 and below


class Sort(StrEnum):
    DUE = "due"
    PRIORITY = "priority"
    CREATED = "created"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxFilter:
    service: str = ""
    status: Status = Status.ANY
    due_before: date | None = None
    due_before_text: str = ""
    priority: Priority = Priority.ANY
    sort: Sort = Sort.DUE
    errors: tuple[tuple[str, str], ...] = ()  # (field id, message)

    def apply(self, tasks: QuerySet[UserTask], username: str) -> QuerySet[UserTask]:
        if self.service:
            tasks = tasks.filter(instance__definition__process_id=self.service)
        if self.status is Status.UNCLAIMED:
            tasks = tasks.filter(assignee__isnull=True)
        elif self.status is Status.CLAIMED:
            tasks = tasks.filter(assignee__isnull=False)
        elif self.status is Status.MINE:
            tasks = tasks.filter(assignee=username)
        if self.due_before is not None:
            end = timezone.make_aware(datetime.combine(self.due_before, time.min))
            tasks = tasks.filter(due__lt=end)
        if self.priority is Priority.HIGH:
            tasks = tasks.filter(priority__gte=67)
        elif self.priority is Priority.NORMAL:
            tasks = tasks.filter(priority__gt=33, priority__lt=67)
        elif self.priority is Priority.LOW:
            tasks = tasks.filter(priority__lte=33)
        due = F("due").asc(nulls_last=True)
        order = {
            Sort.DUE: (due, "-priority", "created", "id"),
            Sort.PRIORITY: ("-priority", due, "created", "id"),
            Sort.CREATED: ("created", "id"),
        }[self.sort]
        return tasks.order_by(*order)


def _choice(kind: type[_E], raw: str | None, default: _E) -> _E:
    try:
        return kind(raw or default)
    except ValueError:
        return default


def read_filter(query: QueryDict) -> InboxFilter:
    """The filter in the query string; an unreadable date is reported, unknown choices fall back."""
    errors = []
    due_text = (query.get("due_before") or "").strip()
    due = None
    if due_text:
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            errors.append(("due_before", _("Enter the due date as a date, for example 2026-03-31")))
    return InboxFilter(
        service=(query.get("service") or "")[:255],
        status=_choice(Status, query.get("status"), Status.ANY),
        due_before=due,
        due_before_text=due_text[:40],
        priority=_choice(Priority, query.get("priority"), Priority.ANY),
        sort=_choice(Sort, query.get("sort"), Sort.DUE),
        errors=tuple(errors),
    )
