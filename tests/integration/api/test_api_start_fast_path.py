"""The start endpoint's lean path answers exactly what the DRF serializers would."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from civicflow.api.serializers.instances import InstanceSerializer, StartSerializer
from civicflow.api.views._base import body
from civicflow.api.views.instances import _instance_json, _start_body
from civicflow.runtime.models import ProcessInstance

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _request(payload: Any) -> Any:
    raw = APIRequestFactory().post("/x", payload, format="json")
    return APIView().initialize_request(raw)


@pytest.mark.parametrize(
    "payload",
    [
        {"processId": "wait"},
        {"processId": "wait", "variables": {"a": 1, "b": [1, {"c": "d"}], "e": ""}},
        {"processId": "wait", "businessKey": "B-1", "startEvent": None, "extra": 1},
        {"processId": "wait", "businessKey": None},
    ],
)
def test_plain_bodies_validate_as_the_serializer_does(payload: dict[str, Any]) -> None:
    assert _start_body(_request(payload)) == body(_request(payload), StartSerializer)


@pytest.mark.parametrize(
    "payload",
    [
        {"processId": " wait "},
        {"processId": ""},
        {"processId": 5},
        {"processId": "x" * 256},
        {"processId": "wait", "version": "1"},
        {"processId": "wait", "variables": {"a": None}},
        {"processId": "wait", "variables": None},
        {"processId": "wait", "businessKey": " b"},
        {"processId": "wait\x00"},
        [],
    ],
)
def test_other_bodies_take_the_serializer(payload: Any) -> None:
    try:
        expected: Any = body(_request(payload), StartSerializer)
    except Exception as exc:  # the same error either way
        with pytest.raises(type(exc)):
            _start_body(_request(payload))
        return
    assert _start_body(_request(payload)) == expected


def test_the_answer_equals_the_instance_serializer(admin: APIClient, deployed: object) -> None:
    started = admin.post("/api/v1/process-instances", {"processId": "registry", "businessKey": "K"}, format="json")
    assert started.status_code == 201
    row = ProcessInstance.objects.select_related("definition").get(pk=started.json()["id"])
    assert started.json() == InstanceSerializer(row).data == _instance_json(row)
    ProcessInstance.objects.filter(pk=row.pk).update(status="completed", ended=row.started)
    row.refresh_from_db()
    assert _instance_json(row) == InstanceSerializer(row).data
