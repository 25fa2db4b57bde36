"""File pickers on a form page: take the uploads of a post, and list them in "check your answers".

New files are checked by the forms core (type by extension and by content, size, count) before
anything is written; a picker whose files fail keeps what it had. A single-file picker's new file
replaces the old one; a multiple picker adds to its list. Files posted under any other name are
never read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.http import HttpRequest

from civicflow.forms import Component, ComponentType, FieldError, FieldView, Form, Page, html_name, validate
from civicflow.portal import _uploads
from civicflow.portal._forms import AnswerRow, answer_rows
from civicflow.portal.models import Document

__all__ = ["FilePicker", "file_pickers", "file_rows", "take_files", "view_hidden"]

# bounds the work one post can cause, below Django's DATA_UPLOAD_MAX_NUMBER_FILES
_MAX_NEW_FILES = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class FilePicker:
    """A file picker of a page and its HTML name (pickers inside dynamic lists are not offered)."""

    name: str
    component: Component

    @property
    def multiple(self) -> bool:
        # a FEEL ``multiple`` may be true; the core's count check applies the real value
        return self.component.multiple is not False


def file_pickers(components: Sequence[Component]) -> list[FilePicker]:
    """The file pickers among ``components`` (a page's or a whole form's), in form order."""
    found: list[FilePicker] = []
    _walk(components, (), found)
    return found


def _walk(components: Sequence[Component], rel: tuple[str, ...], found: list[FilePicker]) -> None:
    for component in components:
        path = rel + component.path
        if component.type is ComponentType.GROUP:
            _walk(component.components, path, found)
        elif component.type is ComponentType.FILEPICKER and path:
            found.append(FilePicker(name=html_name(path), component=component))


def take_files(
    request: HttpRequest,
    form: Form,
    page: Page | None,
    pickers: Sequence[FilePicker],
    *,
    answers: Mapping[str, object],
    files: dict[str, list[str]],
    service_id: str,
    language: str,
) -> list[FieldError]:
    """Apply the post's file changes to ``files`` (removal, new uploads); errors of refused uploads.

    ``page`` is the form page the post answers (None: the whole form).
    """
    target = request.POST.get("_remove_file", "")
    if target:
        for ids in files.values():
            if target in ids:
                _uploads.discard(_uploads.owned(request, [target]))
                ids.remove(target)
    uploads = {p.name: request.FILES.getlist(p.name)[:_MAX_NEW_FILES] for p in pickers}
    candidates = {}
    for picker in pickers:
        if uploads[picker.name]:
            kept = _uploads.owned(request, files.get(picker.name, [])) if picker.multiple else []
            candidates[picker.name] = [
                *_uploads.described(kept),
                *(_uploads.candidate(upload) for upload in uploads[picker.name]),
            ]
    if not candidates:
        return []
    result = validate(form, answers, files=candidates, language=language, page=page)
    errors = [error for error in result.errors if error.name in candidates]
    refused = {error.name for error in errors}
    for picker in pickers:
        if picker.name not in candidates or picker.name in refused:
            continue
        if not picker.multiple:
            _uploads.discard(_uploads.owned(request, files.get(picker.name, [])))
            files[picker.name] = []
        stored = [
            _uploads.store(request, service=service_id, field=picker.name, upload=upload)
            for upload in uploads[picker.name]
        ]
        files[picker.name] = [*files.get(picker.name, []), *(str(document.pk) for document in stored)]
    return errors


def view_hidden(views: list[FieldView] | tuple[FieldView, ...], name: str, hidden: bool = False) -> bool:
    """Whether the file input ``name`` is hidden by a condition (its own or an enclosing group's)."""
    for view in views:
        if view.name == name and view.input_type == "file":
            return hidden or view.hidden
        if view.children and view_hidden(view.children, name, hidden or view.hidden):
            return True
    return False


def file_rows(views: Sequence[FieldView], documents: Mapping[str, list[Document]]) -> list[AnswerRow]:
    """Answer rows in form order, with a file picker's row naming its files."""
    rows: list[AnswerRow] = []
    for view in views:
        if view.hidden:
            continue
        if view.input_type == "file":
            names = ", ".join(document.name for document in documents.get(view.name, []))
            rows.append(AnswerRow(label=view.label, value=names, field_id=view.id))
        elif view.input_type == "group":
            rows += file_rows(view.children, documents)
        else:
            rows += answer_rows([view])
    return rows
