"""Multi-page forms: form-js has no page component, so CivicFlow reads pages from top-level groups.

When the form's own ``properties`` has ``"civicflow:pages": "groups"``, every top-level ``group``
is one page, titled by the group's label. Other top-level components (an introduction, a
separator) go on the page of the next group, or of the last group when none follows. Any other
form is one page. Camunda Modeler edits such a form as an ordinary form with groups, and form-js
shows it as one long form: the pages are only how the portal asks the questions.

A page is answered on its own: :func:`merge_page` takes the page's answers from a post into the
answers so far (nothing else from the post), and ``validate(..., page=page)`` checks just that
page while its conditions still see every answer.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.forms._model import Component, ComponentType, Form, LocalText
from civicflow.forms._paths import MISSING, get_path, parse_html_name, set_path

__all__ = ["PAGES_PROPERTY", "Page", "merge_page", "page_of", "pages"]

PAGES_PROPERTY = "civicflow:pages"


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One page: its 1-based ``number``, ``title`` (the group's label), and top-level components.

    ``indexes`` are the positions of ``components`` in ``form.components`` (and so in the views
    :func:`render_model` returns).
    """

    number: int
    title: LocalText | None
    components: tuple[Component, ...]
    indexes: tuple[int, ...]

    def paths(self) -> tuple[tuple[str, ...], ...]:
        """The data paths the page writes: its fields, and its dynamic lists as a whole."""
        found: list[tuple[str, ...]] = []
        _collect(self.components, (), found)
        return tuple(found)


def _collect(components: tuple[Component, ...], rel: tuple[str, ...], found: list[tuple[str, ...]]) -> None:
    for component in components:
        path = rel + component.path
        if component.type is ComponentType.GROUP:
            _collect(component.components, path, found)
        elif component.type is ComponentType.DYNAMICLIST or (component.is_input and path):
            found.append(path)


def pages(form: Form) -> tuple[Page, ...]:
    """The pages of ``form`` in order (one page unless it asks for pages by groups)."""
    everything = tuple(range(len(form.components)))
    if form.property(PAGES_PROPERTY) != "groups":
        return (Page(number=1, title=None, components=form.components, indexes=everything),)
    groups = [i for i, component in enumerate(form.components) if component.type is ComponentType.GROUP]
    if not groups:
        return (Page(number=1, title=None, components=form.components, indexes=everything),)
    found: list[Page] = []
    pending: list[int] = []
    for index, component in enumerate(form.components):
        pending.append(index)
        if component.type is ComponentType.GROUP:
            found.append(_page(form, len(found) + 1, index, pending))
            pending = []
    if pending:  # components after the last group belong to the last page
        last = found[-1]
        found[-1] = _page(form, last.number, groups[-1], [*last.indexes, *pending])
    return tuple(found)


def _page(form: Form, number: int, group: int, indexes: list[int]) -> Page:
    return Page(
        number=number,
        title=form.components[group].label,
        components=tuple(form.components[i] for i in indexes),
        indexes=tuple(indexes),
    )


def page_of(form: Form, name: str) -> Page | None:
    """The page that asks the field with HTML name ``name`` (``stalls[0].size``), if any."""
    path = parse_html_name(name)
    if path is None:
        return None
    keys = tuple(segment for segment in path if isinstance(segment, str))
    for page in pages(form):
        for bound in page.paths():
            if keys[: len(bound)] == bound:
                return page
    return None


def merge_page(page: Page, answers: Mapping[str, Any], posted: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` with the page's fields replaced by what ``posted`` holds for them.

    Only the page's own paths are read from ``posted``: a post cannot change another page's
    answers or add names no page asks. An answer the post leaves out is removed (an unticked
    checkbox sends nothing).
    """
    merged = copy.deepcopy(dict(answers))
    for path in page.paths():
        _remove(merged, path)
        value = get_path(posted, path)
        if value is not MISSING:
            set_path(merged, path, copy.deepcopy(value))
    return merged


def _remove(data: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = data
    for segment in path[:-1]:
        node = node.get(segment) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)
