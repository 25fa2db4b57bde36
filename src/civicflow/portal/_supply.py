"""Documents after applying: the citizen's uploads on the application page, and sending missing ones.

When a case waits for documents (the building permit's "Wait for documents" receive task after
"Request missing documents"), the application page offers an upload page; sending it stores the
files with the application and correlates the message the process waits for, with the document
references added to the process variable that lists them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from civicflow import parties
from civicflow.forms import error_summary, load_form, pages, render_model, validate
from civicflow.portal import _uploads
from civicflow.portal._document_requests import REQUESTS, DocumentRequest, pending
from civicflow.portal._files import file_pickers, take_files
from civicflow.portal._guides import GUIDES
from civicflow.portal.models import Application, Document
from civicflow.portal.views import _application, _card, _language
from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError

__all__ = ["supply", "upload"]


_FORM = load_form(
    {
        "id": "portal-missing-documents",
        "components": [
            {
                "type": "text",
                "text": "We asked you for: {{ missingDocuments }}",
                "properties": {"text:nl": "Wij vroegen u om: {{ missingDocuments }}"},
            },
            {
                "type": "filepicker",
                "key": "documents",
                "label": "Documents",
                "description": "PDF files, at most 10 MB each and 10 files",
                "accept": ".pdf",
                "multiple": True,
                "validate": {"required": True},
                "properties": {
                    "label:nl": "Documenten",
                    "description:nl": "PDF-bestanden, elk hoogstens 10 MB en 10 bestanden",
                    "civicflow:maxFileSize": "10485760",
                    "civicflow:maxFiles": "10",
                },
            },
        ],
    }
)


@require_safe
def upload(request: HttpRequest, reference: str, document_id: UUID) -> HttpResponseBase:
    """One of the application's uploaded documents; 404 unless this session may see the application."""
    found = Document.objects.filter(pk=document_id, application=_application(request, reference)).first()
    if found is None:
        raise Http404
    return _uploads.download(found)


@require_http_methods(["GET", "POST"])
def supply(request: HttpRequest, reference: str) -> HttpResponse:
    """Send the documents the case waits for."""
    found = _application(request, reference)
    wanted = REQUESTS.get(found.service)
    try:
        waiting = wanted is not None and pending(found, services.element_instances(found.instance_id))
        variables = services.variables(found.instance_id)
    except RuntimeServiceError as error:
        raise Http404 from error
    if wanted is None or not waiting:
        raise Http404
    language = _language()
    key = f"portal:supply:{reference}"
    files = _uploads.ids_by_field(request.session.get(key))
    errors: list[Any] = []
    if request.method == "POST":
        page = pages(_FORM)[0]
        errors = take_files(
            request,
            _FORM,
            page,
            file_pickers(page.components),
            answers={},
            files=files,
            service_id=found.service,
            language=language,
        )
        request.session[key] = files
        if "_remove_file" not in request.POST and not errors:
            result = validate(_FORM, {}, files=_uploads.stored_files(request, files), language=language)
            errors = list(result.errors)
            if not errors:
                _send(request, found, wanted, files=files, values=result.values, variables=variables)
                request.session.pop(key, None)
                return redirect("portal:application", reference=reference)
    context = {
        "service": _card(GUIDES[found.service]),
        "reference": reference,
        "fields": render_model(_FORM, {}, errors, language, variables={wanted.asked: variables.get(wanted.asked)}),
        "errors": error_summary(errors),
        "uploaded": {name: _uploads.owned(request, ids) for name, ids in files.items()},
    }
    return render(request, "portal/supply.html", context)


def _send(
    request: HttpRequest,
    application: Application,
    wanted: DocumentRequest,
    *,
    files: dict[str, list[str]],
    values: dict[str, Any],
    variables: dict[str, Any],
) -> None:
    earlier = variables.get(wanted.variable)
    documents = [*(earlier if isinstance(earlier, list) else []), *values["documents"]]
    with transaction.atomic():
        _uploads.attach_to_application(request, [i for ids in files.values() for i in ids], application)
        try:
            services.correlate_message(
                wanted.message, correlation_key=application.reference, variables={wanted.variable: documents}
            )
        except RuntimeServiceError as error:  # the wait ended while the citizen was uploading
            raise Http404 from error
        subject = f"{application.reference}: {len(values['documents'])} document(s) sent"
        parties.record_case_message(
            application.instance_id, direction="received", channel="portal", subject=subject, now=timezone.now()
        )
