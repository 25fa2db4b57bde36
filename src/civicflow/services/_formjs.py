"""Build form-js documents for the reference services (maintainer tool, see ``_layout``).

Labels are written in English; the Dutch text goes into ``properties`` (``label:nl``,
``description:nl``, ``option.<value>:nl``), which Camunda Modeler keeps and edits.
"""

from __future__ import annotations

import json
from typing import Any


def field(
    kind: str,
    key: str,
    label: tuple[str, str],
    *,
    hint: tuple[str, str] | None = None,
    options: tuple[tuple[str | bool | int, str, str], ...] = (),
    required: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """One component; ``label`` and ``hint`` are (English, Dutch); options are (value, en, nl)."""
    component: dict[str, Any] = {"id": f"Field_{key.replace('.', '_')}", "key": key, "type": kind, "label": label[0]}
    properties = {"label:nl": label[1], **extra.pop("properties", {})}
    if hint:
        component["description"] = hint[0]
        properties["description:nl"] = hint[1]
    if options:
        component["values"] = [{"label": en, "value": value} for value, en, _ in options]
        properties.update({f"option.{json.dumps(value).strip(chr(34))}:nl": nl for value, _, nl in options})
    if required:
        component["validate"] = {"required": True, **extra.pop("validate", {})}
    elif "validate" in extra:
        component["validate"] = extra.pop("validate")
    component.update(extra)
    component["properties"] = properties
    return component


def text(key: str, en: str, nl: str) -> dict[str, Any]:
    """A paragraph of markdown text with its Dutch translation."""
    return {"id": f"Text_{key}", "type": "text", "text": en, "properties": {"text:nl": nl}}


def group(key: str, label: tuple[str, str], components: list[dict[str, Any]]) -> dict[str, Any]:
    """A group without a data path (its fields stay at the top level); in a paged form, one page."""
    return {
        "id": f"Group_{key}",
        "type": "group",
        "label": label[0],
        "showOutline": True,
        "components": components,
        "properties": {"label:nl": label[1]},
    }


def form(form_id: str, components: list[dict[str, Any]], *, pages: bool = False) -> str:
    """The .form file text (form-js schema version 16, as Camunda Modeler 5 writes it).

    ``pages``: ask each top-level group on a page of its own (``civicflow:pages``, docs/forms.md).
    """
    document: dict[str, Any] = {
        "$schema": "https://unpkg.com/@bpmn-io/form-js/dist/schema.json",
        "executionPlatform": "Camunda Cloud",
        "executionPlatformVersion": "8.5.0",
        "exporter": {"name": "CivicFlow reference services", "version": "1"},
        "schemaVersion": 16,
        "id": form_id,
        "type": "default",
        "components": components,
    }
    if pages:
        document["properties"] = {"civicflow:pages": "groups"}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
