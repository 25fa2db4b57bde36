"""Deployed forms: find the form-js schema a user task refers to.

A task's form key comes from the model (Camunda 7 ``camunda:formKey``, Zeebe ``formId`` or
``formKey``). Camunda 7 writes deployed forms as ``camunda-forms:deployment:permit.form``; Zeebe
names a form by the ``id`` inside its JSON. Both are matched against the newest deployed ``.form``
resources, so a redeployed form replaces the old one for new submissions.
"""

from __future__ import annotations

import json
from functools import lru_cache

from civicflow.forms import Form, load_form
from civicflow.runtime.models import Resource, ResourceKind

__all__ = ["form_for_key"]

_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:", "deployment:")


def _names(key: str) -> set[str]:
    bare = key
    for prefix in _PREFIXES:
        if bare.startswith(prefix):
            bare = bare[len(prefix) :]
    return {bare, bare.removesuffix(".form"), bare if bare.endswith(".form") else f"{bare}.form"}


@lru_cache(maxsize=256)
def _parsed(resource_id: int, content: str) -> Form:
    # Keyed by the resource row: a deployed resource never changes, so the parse is reusable.
    return load_form(content)


def form_for_key(key: str | None) -> Form | None:
    """The newest deployed form whose file name or JSON ``id`` matches ``key``; None if there is none."""
    if not key:
        return None
    names = _names(key)
    for resource in Resource.objects.filter(kind=ResourceKind.FORM).order_by("-id").only("id", "name", "content"):
        file_name = resource.name.rsplit("/", 1)[-1]
        if file_name in names:
            return _parsed(resource.pk, resource.content)
        try:
            form_id = json.loads(resource.content).get("id")
        except (ValueError, AttributeError):
            continue
        if form_id in names:
            return _parsed(resource.pk, resource.content)
    return None
