"""Event logs of instances from their history: XES 1849-2016 (XML) and OCEL 2.0 (JSON).

One trace (XES) / one ``process-instance`` object (OCEL) per instance; one event per element
activation and completion (``lifecycle:transition`` start/complete), named by the element's
name when the graph has one, else its id. User tasks also appear as OCEL objects of type
``user-task`` related to their events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET  # writes XML only; parsing goes through defusedxml  # nosec B405

from civicflow.runtime.mining_log import LIFECYCLE_TRANSITIONS as _LIFECYCLE
from civicflow.runtime.mining_log import activity_of, lifecycle_rows
from civicflow.runtime.models import ProcessInstance

__all__ = ["ocel_json", "xes_xml"]


def xes_xml(instances: Iterable[ProcessInstance]) -> bytes:
    log = ET.Element("log", {"xes.version": "1849-2016", "xes.features": "", "xmlns": "http://www.xes-standard.org/"})
    for prefix, name, uri in (
        ("concept", "Concept", "http://www.xes-standard.org/concept.xesext"),
        ("time", "Time", "http://www.xes-standard.org/time.xesext"),
        ("lifecycle", "Lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ):
        ET.SubElement(log, "extension", {"name": name, "prefix": prefix, "uri": uri})
    for instance in instances:
        trace = ET.SubElement(log, "trace")
        ET.SubElement(trace, "string", {"key": "concept:name", "value": str(instance.pk)})
        if instance.business_key:
            ET.SubElement(trace, "string", {"key": "businessKey", "value": instance.business_key})
        for row in lifecycle_rows(instance):
            activity = activity_of(row.element_id, row.payload)
            if activity is None:
                continue
            event = ET.SubElement(trace, "event")
            ET.SubElement(event, "string", {"key": "concept:name", "value": activity})
            ET.SubElement(event, "string", {"key": "lifecycle:transition", "value": _LIFECYCLE[row.type]})
            ET.SubElement(event, "date", {"key": "time:timestamp", "value": row.timestamp.isoformat()})
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(log, encoding="utf-8")


def ocel_json(instances: Iterable[ProcessInstance]) -> dict[str, Any]:
    objects: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    activities: set[str] = set()
    for instance in instances:
        case = f"instance:{instance.pk}"
        objects.append(
            {
                "id": case,
                "type": "process-instance",
                "attributes": [
                    {"name": "status", "time": instance.started.isoformat(), "value": instance.status},
                    {"name": "businessKey", "time": instance.started.isoformat(), "value": instance.business_key or ""},
                ],
                "relationships": [],
            }
        )
        for task in instance.tasks.all().order_by("id"):
            objects.append(  # noqa: PERF401 - one object per statement reads better
                {
                    "id": f"task:{task.pk}",
                    "type": "user-task",
                    "attributes": [
                        {"name": "assignee", "time": task.created.isoformat(), "value": task.assignee or ""}
                    ],
                    "relationships": [{"objectId": case, "qualifier": "part-of"}],
                }
            )
        tasks = {t.element_instance: t.pk for t in instance.tasks.all()}
        for row in lifecycle_rows(instance):
            activity = activity_of(row.element_id, row.payload)
            if activity is None:
                continue
            name = f"{activity}:{_LIFECYCLE[row.type]}"
            activities.add(name)
            related = [{"objectId": case, "qualifier": "case"}]
            task = tasks.get(int(row.payload.get("key", -1)))
            if task is not None:
                related.append({"objectId": f"task:{task}", "qualifier": "task"})
            events.append(
                {
                    "id": f"{instance.pk}:{row.seq}",
                    "type": name,
                    "time": row.timestamp.isoformat(),
                    "attributes": [{"name": "elementId", "value": activity}],
                    "relationships": related,
                }
            )
    return {
        "objectTypes": [
            {
                "name": "process-instance",
                "attributes": [{"name": "status", "type": "string"}, {"name": "businessKey", "type": "string"}],
            },
            {"name": "user-task", "attributes": [{"name": "assignee", "type": "string"}]},
        ],
        "eventTypes": [
            {"name": name, "attributes": [{"name": "elementId", "type": "string"}]} for name in sorted(activities)
        ],
        "objects": objects,
        "events": events,
    }
