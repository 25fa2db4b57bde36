"""Form pages: read a post into form data, add/remove dynamic-list items, summarise answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext

from civicflow.forms import FieldView, Form, load_form, parse_html_name, unflatten
from civicflow.runtime.forms import form_for_key
from civicflow.services import ReferenceService

# names the portal's own buttons and Django's CSRF field use; never form data
_CONTROL = "_"
_CSRF = "csrfmiddlewaretoken"
_INPUTS = {"text", "email", "tel", "textarea", "checkbox", "checkboxes", "radios", "select", "date", "time",
           "datetime-local"}  # fmt: skip


def start_form(service: ReferenceService) -> Form:
    """The deployed start form of ``service``; the packaged file when nothing is deployed yet."""
    deployed = form_for_key(service.start_form)
    if deployed is not None:
        return deployed
    return load_form((service.folder / f"{service.start_form}.form").read_text())


def posted_data(request: HttpRequest) -> dict[str, Any]:
    """The form data of a post (unparseable or clashing names are dropped: validate reports forged ones)."""
    pairs = [
        (name, value)
        for name, values in request.POST.lists()
        if not name.startswith(_CONTROL) and name != _CSRF
        for value in values
    ]
    data, _rejected = unflatten(pairs)
    return data


def _list_at(data: dict[str, Any], name: str, *, create: bool) -> list[Any] | None:
    path = parse_html_name(name)
    if path is None:
        return None
    node: Any = data
    for position, segment in enumerate(path):
        last = position == len(path) - 1
        if isinstance(segment, int):
            if not isinstance(node, list) or not 0 <= segment < len(node):
                return None
            node = node[segment]
            continue
        if not isinstance(node, dict):
            return None
        if segment not in node and create:
            node[segment] = [] if last else {}
        node = node.get(segment)
    return node if isinstance(node, list) else None


def add_item(data: dict[str, Any], name: str, views: list[FieldView]) -> bool:
    """Append an empty item to the dynamic list ``name`` (only a list the form renders with add/remove)."""
    if not _is_list(views, name):
        return False
    items = _list_at(data, name, create=True)
    if items is None or len(items) >= 200:
        return False
    items.append({})
    return True


def remove_item(data: dict[str, Any], target: str, views: list[FieldView]) -> bool:
    """Remove item ``target`` (``list[2]``) from its dynamic list."""
    name, _, index = target.rpartition("[")
    if not index.endswith("]") or not index[:-1].isdigit() or not _is_list(views, name):
        return False
    items = _list_at(data, name, create=False)
    position = int(index[:-1])
    if items is None or position >= len(items):
        return False
    del items[position]
    return True


def _is_list(views: list[FieldView] | tuple[FieldView, ...], name: str) -> bool:
    for view in views:
        if view.input_type == "list" and view.name == name and view.allow_add_remove:
            return True
        if _is_list(view.children, name) or any(_is_list(item, name) for item in view.items):
            return True
    return False


def visible_names(views: list[FieldView] | tuple[FieldView, ...]) -> set[str]:
    """The HTML names of the inputs a page shows (conditionally hidden ones left out)."""
    names: set[str] = set()
    for view in views:
        if view.hidden:
            continue
        if view.input_type in _INPUTS or view.input_type == "list":
            names.add(view.name)
        names |= visible_names(view.children)
        for item in view.items:
            names |= visible_names(item)
    return names


def revealed(views: list[FieldView], shown: str | None) -> bool:
    """Whether the answers reveal inputs the page did not show (``shown``: its space-separated names;
    None when the post did not say, which counts as having shown everything).

    Without JavaScript a condition only changes what is shown when the page is posted: the citizen
    then gets the page again with the new questions instead of a submission that skipped them.
    """
    if shown is None:
        return False
    return bool(visible_names(views) - set(shown.split()))


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerRow:
    """A row of "check your answers"."""

    label: str
    value: str
    field_id: str


def answer_rows(views: list[FieldView] | tuple[FieldView, ...], prefix: str = "") -> list[AnswerRow]:
    """The answers in form order: option labels instead of values, list items numbered."""
    rows: list[AnswerRow] = []
    for view in views:
        if view.hidden:
            continue
        if view.input_type == "group":
            rows += answer_rows(view.children, prefix)
        elif view.input_type == "list":
            for number, item in enumerate(view.items, start=1):
                rows += answer_rows(item, f"{prefix}{view.label} {number}: ")
        elif view.input_type in _INPUTS:
            rows.append(AnswerRow(label=f"{prefix}{view.label}", value=_display(view), field_id=view.id))
    return rows


def _display(view: FieldView) -> str:
    if view.options:
        chosen = [option.label for option in view.options if option.selected]
        return ", ".join(chosen)
    if view.input_type == "checkbox":
        return gettext("Yes") if view.value in ("true", "on", "True") else gettext("No")
    return view.value if isinstance(view.value, str) else ", ".join(view.value)
