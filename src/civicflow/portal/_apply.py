"""Applying: the start form one page at a time (with uploads), then "check your answers" and submit.

A form marked ``civicflow:pages`` (docs/forms.md) is asked a top-level group per page; any other
form is one page. Each page is validated on its own against all answers so far (conditions see
every page), pages whose group a condition hides are skipped, and the answers and uploaded
documents live in the session until the citizen submits or saves them for later.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from civicflow.forms import (
    FieldError,
    FieldView,
    Form,
    Page,
    error_summary,
    merge_page,
    page_of,
    pages,
    render_model,
    validate,
)
from civicflow.portal import _evidence_pages, _prefill, _uploads
from civicflow.portal._cosign import co_signer_field
from civicflow.portal._cosign_pages import send_for_co_signing
from civicflow.portal._files import file_pickers, file_rows, take_files, view_hidden
from civicflow.portal._forms import add_item, posted_data, remove_item, revealed, start_form, visible_names
from civicflow.portal.models import Application
from civicflow.portal.views import _CONFIRMED, _card, _data_key, _grant, _guide, _language, _submit

__all__ = ["apply", "check"]


def _page_views(form: Form, page: Page, views: list[FieldView]) -> list[FieldView]:
    """The views a page shows: the page's group's own fields (its label is the page heading)."""
    shown: list[FieldView] = []
    for index in page.indexes:
        view = views[index]
        if len(pages(form)) > 1 and view.input_type == "group":
            shown.extend(view.children)
        else:
            shown.append(view)
    return shown


def _hidden(page: Page, views: list[FieldView]) -> bool:
    """Whether a condition hides the page's group (a one-page form is never hidden: nowhere else to go)."""
    if len(page.indexes) == len(views):
        return False
    groups = [views[i] for i in page.indexes if views[i].input_type == "group"]
    return bool(groups) and all(view.hidden for view in groups)


def _neighbour(all_pages: tuple[Page, ...], page: Page, views: list[FieldView], step: int) -> Page | None:
    """The next (``step`` 1) or previous (-1) page a condition does not hide."""
    number = page.number + step
    while 1 <= number <= len(all_pages):
        candidate = all_pages[number - 1]
        if not _hidden(candidate, views):
            return candidate
        number += step
    return None


def _page_url(service_id: str, page: Page) -> str:
    if page.number == 1:
        return reverse("portal:apply", args=[service_id])
    return reverse("portal:apply-page", args=[service_id, page.number])


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, service_id: str, page: int = 1) -> HttpResponse:
    """One page of the start form. Buttons: continue, save for later, add/remove items, remove a file."""
    guide = _guide(service_id)
    form = start_form(guide.service)
    all_pages = pages(form)
    if not 1 <= page <= len(all_pages):
        raise Http404
    current = all_pages[page - 1]
    language = _language()
    key = _data_key(service_id)
    stored = request.session.get(key)
    answers: dict[str, Any] = stored if isinstance(stored, dict) else {}
    if request.method == "GET":  # a signed-in citizen's first view: what the agency knows fills empty answers
        answers = _prefill.fill(request, service_id, form, answers)
        if answers:
            request.session[key] = answers
    files = _uploads.ids_by_field(request.session.get(_uploads.files_key(service_id)))
    changing = request.GET.get("change") == "1" or request.POST.get("_change") == "1"
    errors: list[FieldError] = []
    if request.method == "POST":
        answers = _prefill.keep_fixed(request, service_id, merge_page(current, answers, posted_data(request)))
        views = render_model(form, answers, (), language)
        pickers = [p for p in file_pickers(current.components) if not view_hidden(views, p.name)]
        errors = take_files(
            request, form, current, pickers, answers=answers, files=files, service_id=service_id, language=language
        )
        request.session[key] = answers
        request.session[_uploads.files_key(service_id)] = files
        if "_save" in request.POST:
            return redirect("portal:save", service_id=service_id)
        if "_add" in request.POST:
            add_item(answers, request.POST["_add"], views)
            request.session[key] = answers
        elif "_remove" in request.POST:
            remove_item(answers, request.POST["_remove"], views)
            request.session[key] = answers
        elif "_remove_file" not in request.POST:
            stored_files = _uploads.stored_files(request, files)
            result = validate(form, answers, files=stored_files, language=language, page=current)
            failed = {error.name for error in errors}
            errors += [error for error in result.errors if error.name not in failed]
            page_views = _page_views(form, current, views)
            if not errors and not revealed(page_views, request.POST.get("_shown")):
                following = None if changing else _neighbour(all_pages, current, views, 1)
                if following is None:
                    return redirect("portal:check", service_id=service_id)
                return redirect(_page_url(service_id, following))
    views = render_model(form, answers, errors, language)
    if request.method == "GET" and _hidden(current, views):
        following = _neighbour(all_pages, current, views, 1)
        return redirect(_page_url(service_id, following) if following else reverse("portal:check", args=[service_id]))
    fields, prefill_notes = _prefill.annotate(request, service_id, _page_views(form, current, views))
    previous = _neighbour(all_pages, current, views, -1)
    title = current.title.in_language(language) if current.title is not None and len(all_pages) > 1 else ""
    context = {
        "service": _card(guide),
        "fields": fields,
        "shown": " ".join(sorted(visible_names(fields))),
        "errors": error_summary(errors),
        "page": current,
        "page_count": len(all_pages),
        "page_title": title,
        "action": _page_url(service_id, current),
        "back": (
            reverse("portal:check", args=[service_id])
            if changing
            else _page_url(service_id, previous)
            if previous
            else reverse("portal:start", args=[service_id])
        ),
        "changing": changing,
        "uploaded": {name: _uploads.owned(request, ids) for name, ids in files.items()},
        "prefill_notes": prefill_notes,
        "prefill_purposes": _prefill.notice(request, service_id),
    }
    return render(request, "portal/apply.html", context)


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, service_id: str) -> HttpResponse:
    """Check your answers, a section per page with Change links; posting it submits the application."""
    guide = _guide(service_id)
    form = start_form(guide.service)
    language = _language()
    answers = request.session.get(_data_key(service_id))
    if not isinstance(answers, dict):
        return redirect("portal:apply", service_id=service_id)
    files = _uploads.ids_by_field(request.session.get(_uploads.files_key(service_id)))
    stored_files = _uploads.stored_files(request, files)
    result = validate(form, answers, files=stored_files, language=language)
    if result.errors:
        first = page_of(form, result.errors[0].name)
        return redirect(_page_url(service_id, first) if first else reverse("portal:apply", args=[service_id]))
    step = _evidence_pages.pending_step(request, service_id) if request.method == "GET" else None
    if step is not None:  # "fetch it for me?" is asked once, between the form and this page
        return redirect(step)
    error = None
    co_signer = str(result.values.get(co_signer_field(form) or "") or "").strip()
    if request.method == "POST" and co_signer:  # held until the co-signer confirms (docs/portal.md, "Co-signing")
        held = send_for_co_signing(request, guide, form, answers, co_signer)
        if not isinstance(held, str):
            return held
        error = held
    elif request.method == "POST":
        reference, secret = _submit(request, guide, dict(result.values), language)
        application = Application.objects.get(reference=reference)
        _prefill.record(request, service_id, application.instance_id, result.values)
        _uploads.attach_to_application(request, [i for ids in files.values() for i in ids], application)
        _evidence_pages.after_submit(request, service_id, application)
        request.session.pop(_data_key(service_id), None)
        request.session.pop(_uploads.files_key(service_id), None)
        _grant(request, reference)
        request.session[_CONFIRMED] = {reference: secret}
        return redirect("portal:submitted", reference=reference)
    views = render_model(form, answers, (), language)
    all_pages = pages(form)
    documents = {name: _uploads.owned(request, ids) for name, ids in files.items()}
    sections = []
    last = all_pages[-1] if not _hidden(all_pages[-1], views) else _neighbour(all_pages, all_pages[-1], views, -1)
    for page in all_pages:
        if _hidden(page, views):
            continue
        rows = file_rows(_page_views(form, page, views), documents)
        url = _page_url(service_id, page) + "?change=1"
        title = page.title.in_language(language) if page.title is not None and len(all_pages) > 1 else ""
        sections.append({"title": title, "rows": rows, "url": url})
    back = _page_url(service_id, last or all_pages[0])
    context = {"service": _card(guide), "sections": sections, "back": back, "co_signer": co_signer, "error": error}
    return render(request, "portal/check.html", context, status=400 if error else 200)
