"""External tasks: fetch-and-lock with long polling, extend lock, complete, failure, BPMN error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api import external
from civicflow.api.problems import exception_handler
from civicflow.api.serializers.work import (
    BpmnErrorSerializer,
    CompleteExternalSerializer,
    CompleteManyResultSerializer,
    CompleteManySerializer,
    ExtendLockSerializer,
    ExternalTaskSerializer,
    FailureSerializer,
    FetchAndLockSerializer,
)
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import Job, JobKind
from civicflow.security import policy

__all__ = [
    "ExternalBpmnError",
    "ExternalComplete",
    "ExternalCompleteMany",
    "ExternalExtendLock",
    "ExternalFailure",
    "ExternalList",
    "FetchAndLock",
]

_DONE = OpenApiResponse(description="done")


def _max_poll_ms() -> int:
    """The longest a fetch-and-lock may wait: each waiting request holds a web worker."""
    found: int = getattr(settings, "CIVICFLOW_API_MAX_LONG_POLL_MS", 60_000)
    return found


def _check_topic(request: Request, topic: str) -> None:
    # the policy's topic rule: a work:<topic> token touches only external tasks of its topics
    if not policy.can(request.user, "api_work", topic):
        raise exceptions.PermissionDenied(f"the API token lacks scope 'work:{topic}'")


def _topic_of(task_id: int) -> str:
    topic = Job.objects.filter(pk=task_id, kind=JobKind.SERVICE, instance__isnull=False).values_list("type", flat=True)
    found = topic.first()
    if found is None:
        raise NotFoundError(f"no external task {task_id}", kind="task", key=task_id)
    return found


def _shape(job: Job, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": job.pk,
        "topic": job.type,
        "workerId": (job.lock_owner or "").removeprefix("ext:"),
        "lockExpiresAt": job.lock_expires_at,
        "retries": job.retries,
        "attempts": job.attempts,
        "instanceId": job.instance_id,
        "elementId": job.element_id,
        "variables": variables,
    }


class ExternalQuerySerializer(PageQuerySerializer):
    topic = serializers.CharField(required=False, max_length=255)


class ExternalList(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(parameters=[ExternalQuerySerializer], responses=ExternalTaskSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, ExternalQuerySerializer)
        found = Job.objects.filter(kind=JobKind.SERVICE, instance__isnull=False).order_by("due_at", "id")
        if "topic" in params:
            found = found.filter(type=params["topic"])
        rows = [_shape(job, {}) for job in page(found, params)]
        return Response(ExternalTaskSerializer(rows, many=True).data)


class FetchAndLock(ApiView):
    policy_actions = need(POST="api_work")

    @extend_schema(request=FetchAndLockSerializer, responses=ExternalTaskSerializer(many=True))
    def post(self, request: Request) -> Response:
        data = body(request, FetchAndLockSerializer)
        for topic in data["topics"]:
            _check_topic(request, topic["name"])
        topics = [
            external.TopicRequest(name=t["name"], lock_duration=timedelta(milliseconds=t["lockDuration"]))
            for t in data["topics"]
        ]
        locked = external.fetch_and_lock(
            data["workerId"],
            topics,
            max_tasks=data["maxTasks"],
            timeout=timedelta(milliseconds=min(data["asyncResponseTimeout"], _max_poll_ms())),
        )
        rows = [_shape(task.job, task.variables) for task in locked]
        return Response(ExternalTaskSerializer(rows, many=True).data)


class ExternalExtendLock(ApiView):
    policy_actions = need(POST="api_work")

    @extend_schema(request=ExtendLockSerializer, responses={204: _DONE})
    def post(self, request: Request, pk: int) -> Response:
        _check_topic(request, _topic_of(pk))
        data = body(request, ExtendLockSerializer)
        external.extend_lock(pk, data["workerId"], timedelta(milliseconds=data["newDuration"]))
        return Response(status=204)


class ExternalComplete(ApiView):
    policy_actions = need(POST="api_work")

    @extend_schema(request=CompleteExternalSerializer, responses={204: _DONE})
    def post(self, request: Request, pk: int) -> Response:
        _check_topic(request, _topic_of(pk))
        data = body(request, CompleteExternalSerializer)
        external.complete(pk, data["workerId"], data["variables"])
        return Response(status=204)


class ExternalCompleteMany(ApiView):
    """Complete a fetched batch in one request and one transaction; each task reported on its own.

    Why: completing one task per request costs a request and a step transaction each, so a
    worker spends most of its time on round trips (about 140 tasks/s for four workers).
    """

    policy_actions = need(POST="api_work")

    @extend_schema(request=CompleteManySerializer, responses={200: CompleteManyResultSerializer})
    def post(self, request: Request) -> Response:
        data = body(request, CompleteManySerializer)

        def forbidden(topic: str) -> Exception | None:
            try:
                _check_topic(request, topic)
            except exceptions.PermissionDenied as refusal:
                found: Exception = refusal
                return found
            return None

        items = [(item["id"], item["variables"]) for item in data["tasks"]]
        answers = external.complete_many(data["workerId"], items, forbidden=forbidden)
        results: list[dict[str, Any]] = []
        for (task_id, _), answer in zip(items, answers, strict=True):
            if answer is None:
                results.append({"id": task_id, "status": 204})
                continue
            # the same problem document the single complete endpoint would answer for this task
            problem = exception_handler(answer, {"request": request, "view": self})
            results.append({"id": task_id, "status": problem.status_code, "problem": problem.data})
        return Response({"results": results})


class ExternalFailure(ApiView):
    policy_actions = need(POST="api_work")

    @extend_schema(request=FailureSerializer, responses={204: _DONE})
    def post(self, request: Request, pk: int) -> Response:
        _check_topic(request, _topic_of(pk))
        data = body(request, FailureSerializer)
        external.fail(
            pk,
            data["workerId"],
            data["errorMessage"],
            retries=data["retries"],
            retry_in=timedelta(milliseconds=data["retryTimeout"]),
        )
        return Response(status=204)


class ExternalBpmnError(ApiView):
    policy_actions = need(POST="api_work")

    @extend_schema(request=BpmnErrorSerializer, responses={204: _DONE})
    def post(self, request: Request, pk: int) -> Response:
        _check_topic(request, _topic_of(pk))
        data = body(request, BpmnErrorSerializer)
        external.throw_error(pk, data["workerId"], data["errorCode"], data["errorMessage"], data["variables"])
        return Response(status=204)
