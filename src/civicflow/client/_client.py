"""The HTTP client of REST API v1 (httpx): deploy, start, correlate, tasks, external tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from civicflow.errors import CivicFlowError

__all__ = ["CivicFlowClient", "Correlation", "ExternalTask", "Instance", "ProblemError", "UserTask"]


class ProblemError(CivicFlowError):
    """A 4xx/5xx answer: the RFC 9457 problem document's fields."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        problem_type: str = "",
        title: str = "",
        errors: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.type = problem_type
        self.title = title
        self.errors = dict(errors or {})
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    id: str
    process_id: str
    definition_key: str
    business_key: str | None
    status: str
    has_incident: bool

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Instance:
        return cls(
            id=data["id"],
            process_id=data["processId"],
            definition_key=data["definitionKey"],
            business_key=data.get("businessKey"),
            status=data["status"],
            has_incident=bool(data.get("hasIncident")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTask:
    id: int
    instance_id: str
    element_id: str
    name: str
    assignee: str | None
    candidate_groups: tuple[str, ...]
    form_key: str | None
    priority: int
    due: str | None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> UserTask:
        return cls(
            id=data["id"],
            instance_id=data["instanceId"],
            element_id=data["elementId"],
            name=data.get("name", ""),
            assignee=data.get("assignee"),
            candidate_groups=tuple(data.get("candidateGroups", ())),
            form_key=data.get("formKey"),
            priority=data.get("priority", 50),
            due=data.get("due"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTask:
    id: int
    topic: str
    worker_id: str
    instance_id: str
    element_id: str
    retries: int
    attempts: int
    variables: dict[str, Any]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ExternalTask:
        return cls(
            id=data["id"],
            topic=data["topic"],
            worker_id=data["workerId"],
            instance_id=data["instanceId"],
            element_id=data["elementId"],
            retries=data["retries"],
            attempts=data["attempts"],
            variables=dict(data.get("variables") or {}),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Correlation:
    instance_id: str | None
    started: bool
    buffered: bool


def _ms(value: timedelta | float) -> int:
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(int(seconds * 1000), 0)


def _iso_duration(value: timedelta) -> str:
    # Fixed-point, never exponent notation: `:g` wrote 12 days as "PT1.0368e+06S", not ISO 8601.
    seconds = format(value.total_seconds(), "f").rstrip("0").rstrip(".")
    return f"PT{seconds or '0'}S"


class CivicFlowClient:
    """A small typed client: ``CivicFlowClient("http://127.0.0.1:8000", token="cf_...")``.

    ``transport`` lets tests pass an in-process WSGI transport or ``httpx.MockTransport``.
    """

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1/",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CivicFlowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
        extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
        response = self._http.request(method, path, **kwargs, **extra)
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            raise ProblemError(
                str(problem.get("detail") or response.reason_phrase),
                status=response.status_code,
                problem_type=str(problem.get("type", "")),
                title=str(problem.get("title", "")),
                errors=problem.get("errors"),
            )
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # deployments and instances

    def deploy(self, files: Iterable[Path | str], *, name: str | None = None) -> dict[str, Any]:
        paths = [Path(f) for f in files]
        upload = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
        found: dict[str, Any] = self._call("POST", "deployments", files=upload, data={"name": name} if name else {})
        return found

    def start(
        self,
        process_id: str,
        *,
        business_key: str | None = None,
        variables: Mapping[str, Any] | None = None,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Instance:
        payload: dict[str, Any] = {"processId": process_id, "variables": dict(variables or {})}
        if business_key is not None:
            payload["businessKey"] = business_key
        if version is not None:
            payload["version"] = version
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return Instance.of(self._call("POST", "process-instances", json=payload, headers=headers))

    def instance(self, instance_id: str) -> Instance:
        return Instance.of(self._call("GET", f"process-instances/{instance_id}"))

    def variables(self, instance_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"process-instances/{instance_id}/variables")["variables"]
        return found

    # messages and signals

    def correlate(
        self,
        name: str,
        correlation_key: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        ttl: timedelta | None = None,
    ) -> Correlation:
        payload: dict[str, Any] = {"name": name, "correlationKey": correlation_key, "variables": dict(variables or {})}
        if ttl is not None:
            payload["ttl"] = _iso_duration(ttl)
        data = self._call("POST", "messages", json=payload)
        return Correlation(instance_id=data["instanceId"], started=data["started"], buffered=data["buffered"])

    def signal(self, name: str, variables: Mapping[str, Any] | None = None) -> list[str]:
        data = self._call("POST", "signals", json={"name": name, "variables": dict(variables or {})})
        return list(data["instanceIds"])

    # user tasks

    def tasks(
        self, *, candidate_group: str | None = None, assignee: str | None = None, unassigned: bool = False
    ) -> list[UserTask]:
        params: dict[str, str] = {}
        if candidate_group is not None:
            params["candidateGroup"] = candidate_group
        if assignee is not None:
            params["assignee"] = assignee
        if unassigned:
            params["unassigned"] = "true"
        return [UserTask.of(t) for t in self._call("GET", "tasks", params=params)]

    def complete(
        self, task_id: int, variables: Mapping[str, Any] | None = None, *, user: str | None = None
    ) -> Instance:
        payload: dict[str, Any] = {"variables": dict(variables or {})}
        if user is not None:
            payload["user"] = user
        return Instance.of(self._call("POST", f"tasks/{task_id}/complete", json=payload))

    # external tasks

    def fetch_and_lock(
        self,
        worker_id: str,
        topics: Mapping[str, timedelta | float],
        *,
        max_tasks: int = 10,
        wait: timedelta | float = 0,
    ) -> list[ExternalTask]:
        """Lock up to ``max_tasks`` tasks of ``topics`` (name -> lock duration); long-poll ``wait``."""
        payload = {
            "workerId": worker_id,
            "topics": [{"name": name, "lockDuration": max(_ms(lock), 1)} for name, lock in topics.items()],
            "maxTasks": max_tasks,
            "asyncResponseTimeout": _ms(wait),
        }
        read_timeout = _ms(wait) / 1000 + 30  # the server holds the request up to ``wait``
        found: Sequence[Mapping[str, Any]] = self._call(
            "POST", "external-tasks/fetch-and-lock", json=payload, timeout=read_timeout
        )
        return [ExternalTask.of(t) for t in found]

    def complete_external(self, task_id: int, worker_id: str, variables: Mapping[str, Any] | None = None) -> None:
        self._call(
            "POST",
            f"external-tasks/{task_id}/complete",
            json={"workerId": worker_id, "variables": dict(variables or {})},
        )

    def complete_external_many(
        self, worker_id: str, tasks: Iterable[tuple[int, Mapping[str, Any] | None]]
    ) -> dict[int, ProblemError | None]:
        """Complete several tasks (id, variables) in one request per 1,000; per id None or its problem.

        The server completes them in one transaction; a task it refuses (lock expired, taken by
        another worker, finished meanwhile) is reported on its own and the others still complete.
        """
        items = [{"id": task_id, "variables": dict(variables or {})} for task_id, variables in tasks]
        outcome: dict[int, ProblemError | None] = {}
        for start in range(0, len(items), 1000):
            answer = self._call(
                "POST", "external-tasks/complete", json={"workerId": worker_id, "tasks": items[start : start + 1000]}
            )
            for result in answer["results"]:
                problem = result.get("problem")
                outcome[int(result["id"])] = (
                    None
                    if problem is None
                    else ProblemError(
                        str(problem.get("detail", "")),
                        status=int(result["status"]),
                        problem_type=str(problem.get("type", "")),
                        title=str(problem.get("title", "")),
                        errors=problem.get("errors"),
                    )
                )
        return outcome

    def fail_external(
        self, task_id: int, worker_id: str, message: str, *, retries: int, retry_timeout: timedelta | float = 0
    ) -> None:
        payload = {
            "workerId": worker_id,
            "errorMessage": message,
            "retries": retries,
            "retryTimeout": _ms(retry_timeout),
        }
        self._call("POST", f"external-tasks/{task_id}/failure", json=payload)

    def bpmn_error(
        self,
        task_id: int,
        worker_id: str,
        code: str,
        message: str = "",
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        payload = {
            "workerId": worker_id,
            "errorCode": code,
            "errorMessage": message,
            "variables": dict(variables or {}),
        }
        self._call("POST", f"external-tasks/{task_id}/bpmn-error", json=payload)

    def extend_lock(self, task_id: int, worker_id: str, duration: timedelta | float) -> None:
        payload = {"workerId": worker_id, "newDuration": max(_ms(duration), 1)}
        self._call("POST", f"external-tasks/{task_id}/extend-lock", json=payload)
