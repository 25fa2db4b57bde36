"""Contents of processes and subprocesses: flow elements, data, artifacts and lanes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from lxml import etree

from civicflow.bpmn.model import (
    Artifact,
    Association,
    BaseElement,
    DataObject,
    DataObjectReference,
    DataStoreReference,
    FlowElement,
    Group,
    Lane,
    LaneSet,
    SequenceFlow,
    TextAnnotation,
)
from civicflow.bpmn.namespaces import BPMN
from civicflow.bpmn.reader._activities import ACTIVITY_READERS
from civicflow.bpmn.reader._base import Context, ElementReader
from civicflow.bpmn.reader._nodes import NODE_READERS, finish

__all__ = ["container_fields", "read_artifact"]


def read_sequence_flow(ctx: Context, el: etree._Element) -> SequenceFlow:
    r = ElementReader(ctx, el)
    source, target = r.ref("sourceRef") or "", r.ref("targetRef") or ""
    flow = finish(
        r,
        SequenceFlow,
        name=r.attr("name"),
        source_ref=source,
        target_ref=target,
        condition_expression=r.expression_child("conditionExpression"),
        is_immediate=r.opt_bool("isImmediate"),
    )
    if not flow.id:
        # Flowable's test models omit flow ids; nothing can refer to such a flow, so a
        # deterministic id derived from its ends is as good as any and survives a round trip.
        flow = dataclasses.replace(flow, id=f"{source}_to_{target}")
    return flow


def read_data_object(ctx: Context, el: etree._Element) -> DataObject:
    r = ElementReader(ctx, el)
    return finish(
        r,
        DataObject,
        name=r.attr("name"),
        is_collection=r.bool_attr("isCollection", default=False),
        item_subject_ref=r.ref("itemSubjectRef"),
    )


def read_data_object_reference(ctx: Context, el: etree._Element) -> DataObjectReference:
    r = ElementReader(ctx, el)
    return finish(
        r,
        DataObjectReference,
        name=r.attr("name"),
        data_object_ref=r.ref("dataObjectRef"),
        item_subject_ref=r.ref("itemSubjectRef"),
    )


def read_data_store_reference(ctx: Context, el: etree._Element) -> DataStoreReference:
    r = ElementReader(ctx, el)
    return finish(
        r,
        DataStoreReference,
        name=r.attr("name"),
        data_store_ref=r.ref("dataStoreRef"),
        item_subject_ref=r.ref("itemSubjectRef"),
    )


def read_artifact(ctx: Context, el: etree._Element) -> Artifact | None:
    r = ElementReader(ctx, el)
    local = r.local_name
    if local == "textAnnotation":
        text = r.child("text")
        return finish(
            r,
            TextAnnotation,
            text=None if text is None else "".join(str(t) for t in text.itertext()),
            text_format=r.attr("textFormat"),
        )
    if local == "association":
        return finish(
            r,
            Association,
            source_ref=r.ref("sourceRef") or "",
            target_ref=r.ref("targetRef") or "",
            association_direction=r.attr("associationDirection"),
        )
    if local == "group":
        return finish(r, Group, category_value_ref=r.ref("categoryValueRef"))
    return None


def read_lane_set(ctx: Context, el: etree._Element) -> LaneSet:
    r = ElementReader(ctx, el)
    lanes = tuple(_read_lane(ctx, lane) for lane in r.children("lane"))
    return finish(r, LaneSet, name=r.attr("name"), lanes=lanes)


def _read_lane(ctx: Context, el: etree._Element) -> Lane:
    r = ElementReader(ctx, el)
    child_set = r.child("childLaneSet")
    return finish(
        r,
        Lane,
        name=r.attr("name"),
        partition_element_ref=r.ref("partitionElementRef"),
        flow_node_refs=r.child_refs("flowNodeRef"),
        child_lane_set=None if child_set is None else read_lane_set(ctx, child_set),
    )


_ELEMENT_READERS: dict[str, Callable[[Context, etree._Element], BaseElement]] = {
    **NODE_READERS,
    **ACTIVITY_READERS,
    "sequenceFlow": read_sequence_flow,
    "dataObject": read_data_object,
    "dataObjectReference": read_data_object_reference,
    "dataStoreReference": read_data_store_reference,
}


def container_fields(ctx: Context, r: ElementReader) -> dict[str, Any]:
    """``lane_sets``, ``flow_elements`` and ``artifacts`` of a process or subprocess."""
    elements: list[FlowElement] = []
    artifacts: list[Artifact] = []
    lane_sets = [read_lane_set(ctx, child) for child in r.children("laneSet")]
    for child in r.el:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        local = etree.QName(child).localname
        reader = _ELEMENT_READERS.get(local)
        if reader is not None:
            r.mark(child)
            elements.append(reader(ctx, child))  # type: ignore[arg-type]
            continue
        artifact = read_artifact(ctx, child)
        if artifact is not None:
            r.mark(child)
            artifacts.append(artifact)
    return {"lane_sets": tuple(lane_sets), "flow_elements": tuple(elements), "artifacts": tuple(artifacts)}
