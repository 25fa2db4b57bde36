"""User tasks: complete, claim, unclaim."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicflow.engine import CompleteTask
from civicflow.runtime import step
from civicflow.runtime.errors import CommandRefusedError, NotFoundError, TaskOwnershipError
from civicflow.runtime.models import ProcessInstance, TaskState, UserTask
from civicflow.runtime.rows import get_row

__all__ = ["claim_task", "complete_task", "get_task", "unclaim_task"]


def get_task(task_id: int) -> UserTask:
    task = get_row(UserTask, task_id)  # plain SQL: every task completion reads it
    if task is None:
        raise NotFoundError(f"no user task {task_id}", kind="task", key=task_id)
    return task


def _open_task(task_id: int) -> UserTask:
    task = get_task(task_id)
    if task.state != TaskState.CREATED:
        raise CommandRefusedError(
            f"user task {task_id} is {task.state}", instance_id=str(task.instance_id), command="CompleteTask"
        )
    return task


def complete_task(
    task_id: int, variables: Mapping[str, Any] | None = None, *, user: str | None = None
) -> ProcessInstance:
    """Complete a user task with its form's variables; refused when claimed by someone else."""
    task = _open_task(task_id)
    if user is not None and task.assignee is not None and task.assignee != user:
        raise TaskOwnershipError(
            f"user task {task_id} is claimed by {task.assignee}", task_id=task_id, assignee=task.assignee
        )
    command = CompleteTask(task=task.key, variables=dict(variables or {}))
    return step.run(task.instance_id, command, actor=user).instance


def claim_task(task_id: int, user: str) -> UserTask:
    """Make ``user`` the assignee; refused when someone else holds the task."""
    task = _open_task(task_id)
    claimed = (
        UserTask.objects.filter(pk=task_id, state=TaskState.CREATED).filter(assignee__isnull=True).update(assignee=user)
    )
    if not claimed:
        task.refresh_from_db()
        if task.assignee != user:
            raise TaskOwnershipError(
                f"user task {task_id} is claimed by {task.assignee}", task_id=task_id, assignee=task.assignee
            )
    task.assignee = user
    return task


def unclaim_task(task_id: int, user: str | None = None) -> UserTask:
    """Give a task back to its candidate groups; with ``user``, only that user's claim."""
    task = _open_task(task_id)
    if user is not None and task.assignee not in (None, user):
        raise TaskOwnershipError(
            f"user task {task_id} is claimed by {task.assignee}", task_id=task_id, assignee=task.assignee
        )
    UserTask.objects.filter(pk=task_id).update(assignee=None)
    task.assignee = None
    return task
