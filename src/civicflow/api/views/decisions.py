"""Decisions: deployed DMN decision definitions and their evaluation with an explanation."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

import civicflow.dmn
import civicflow.feel
from civicflow.api import _audit
from civicflow.api.serializers.deployments import DecisionDefinitionSerializer
from civicflow.api.serializers.work import EvaluateSerializer
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import DecisionDefinition, Resource, ResourceKind

__all__ = ["DecisionEvaluate", "DecisionList"]

_RESULT = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="outputs by decision, FEEL warnings, and the explanation per decision"
)


def _decision(ref: str) -> DecisionDefinition:
    """By key (``id:version``), else the latest version by decision id, else by name."""
    found = (
        DecisionDefinition.objects.filter(key=ref).first()
        or DecisionDefinition.objects.filter(decision_id=ref).order_by("-version").first()
        or DecisionDefinition.objects.filter(name=ref).order_by("-version").first()
    )
    if found is None:
        raise NotFoundError(f"no deployed decision {ref!r}", kind="decision", key=ref)
    return found


def _json(value: Any) -> Any:
    """Dataclasses (the explanation) and FEEL values as JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | str):  # positions and ids, not FEEL values
        return value
    return civicflow.feel.from_feel(value, json_safe=True)


class DecisionList(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(parameters=[PageQuerySerializer], responses=DecisionDefinitionSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, PageQuerySerializer)
        found = DecisionDefinition.objects.order_by("decision_id", "-version")
        return Response(DecisionDefinitionSerializer(page(found, params), many=True).data)


class DecisionEvaluate(ApiView):
    policy_actions = need(POST="api_read")

    @extend_schema(request=EvaluateSerializer, responses=_RESULT)
    def post(self, request: Request, ref: str) -> Response:
        data = body(request, EvaluateSerializer)
        definition = _decision(ref)
        resource = definition.resource
        others = Resource.objects.filter(deployment_id=resource.deployment_id, kind=ResourceKind.DMN).exclude(
            pk=resource.pk
        )
        model = civicflow.dmn.load(resource.content.encode(), imports=[o.content.encode() for o in others])
        result = model.evaluate(definition.decision_id, data["inputs"])
        # the explanation as references (rules, input labels), without the values that went in or out
        details = {
            "inputs": sorted(data["inputs"]),
            "explanation": civicflow.dmn.explanation_references(result.explanation),
        }
        _audit.record(request, "DecisionEvaluated", ("decision", definition.key), details)
        return Response(
            {
                "decision": DecisionDefinitionSerializer(definition).data,
                "outputs": _json(result.outputs),
                "warnings": [str(getattr(w, "message", w)) for w in result.warnings],
                "explanation": _json(result.explanation),
            }
        )
