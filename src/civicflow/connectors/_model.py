"""Where a connector's options come from in the model: task headers and properties of the element.

Read from the deployed BPMN file (``zeebe:taskHeaders``, ``zeebe:properties``,
``camunda:properties``), once per file and element: the engine's graph keeps neither headers nor
Camunda 7 properties of service tasks, and connectors need no engine change to read them.
"""

from __future__ import annotations

import threading
from uuid import UUID

import civicflow.bpmn
from civicflow.bpmn.model import iter_flow_elements
from civicflow.runtime.models import ProcessInstance, Resource

__all__ = ["clear_cache", "element_options"]

_lock = threading.Lock()
_by_resource: dict[int, dict[str, dict[str, str]]] = {}
_resource_of_instance: dict[UUID, int] = {}


def _read(resource_id: int) -> dict[str, dict[str, str]]:
    content = Resource.objects.values_list("content", flat=True).get(pk=resource_id)
    found: dict[str, dict[str, str]] = {}
    for process in civicflow.bpmn.load(content.encode()).processes:
        for element in iter_flow_elements(process):
            ext = element.ext
            values = {p.name: p.value or "" for p in ext.properties}
            values.update({h.name: h.value or "" for h in ext.task_headers})  # headers win: Zeebe's own place
            if values:
                found[element.id] = values
    return found


def element_options(instance_id: UUID, element_id: str) -> dict[str, str]:
    """The task headers and properties of ``element_id`` in the instance's process definition."""
    resource_id = _resource_of_instance.get(instance_id)
    if resource_id is None:
        resource_id = ProcessInstance.objects.values_list("definition__resource_id", flat=True).get(pk=instance_id)
        with _lock:
            if len(_resource_of_instance) > 100_000:  # bounded: instances come and go
                _resource_of_instance.clear()
            _resource_of_instance[instance_id] = resource_id
    table = _by_resource.get(resource_id)
    if table is None:
        table = _read(resource_id)
        with _lock:
            _by_resource[resource_id] = table
    return dict(table.get(element_id, {}))


def clear_cache() -> None:
    with _lock:
        _by_resource.clear()
        _resource_of_instance.clear()
