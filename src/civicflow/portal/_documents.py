"""Documents issued for a case: the building permit the ``issue-document`` step writes.

No PDF library is among the dependencies, so the permit is a self-contained HTML document (prints
as a page, opens anywhere). The portal registers the ``issue-document`` job handler (it runs in
the worker, which loads every app): the runtime's handler gives the document's metadata, this
one also renders the document and stores it with the case, once per case (a retried job
replaces the first attempt's row rather than adding a second).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from civicflow.portal.models import Application, IssuedDocument
from civicflow.runtime.clock import current_clock
from civicflow.runtime.jobs import job_variables, register
from civicflow.runtime.models import Job
from civicflow.runtime.reference_handlers import issue_document as permit_metadata

__all__ = ["documents_of", "download", "issue_permit"]

PERMIT = "permit"


@register("issue-document")
def issue_permit(job: Job) -> dict[str, Any]:
    """Render the permit, store it with the case, and answer ``permitDocument`` / ``permitDocumentMeta``."""
    values = job_variables(job)
    meta = dict((permit_metadata(job) or {})["permitDocumentMeta"])
    case = str(meta["case"])
    language = str(values.get("language") or "en")
    with translation.override(language):
        html = render_to_string(
            "portal/documents/permit.html",
            {
                "case": case,
                "document_id": meta["id"],
                "issued": current_clock().now(),
                "applicant": values.get("applicantName") or "",
                "address": values.get("address") or "",
                "building_type": values.get("buildingType") or "",
                "floor_area": values.get("floorArea"),
                "fee": values.get("fee"),
                "language": language,
            },
        )
    content = html.encode()
    name = f"{case}-permit.html"
    meta.update({"name": name, "mediaType": "text/html", "sha256": hashlib.sha256(content).hexdigest()})
    assert job.instance_id is not None  # a service task's job always belongs to an instance # nosec B101
    IssuedDocument.objects.update_or_create(
        instance_id=job.instance_id,
        kind=PERMIT,
        defaults={
            "reference": case[:32],
            "name": name,
            "media_type": "text/html",
            "content": content,
            "sha256": meta["sha256"],
            "issued": current_clock().now(),
        },
    )
    return {"permitDocument": name, "permitDocumentMeta": meta}


def documents_of(application: Application) -> list[IssuedDocument]:
    """The documents issued for ``application``, without their content."""
    return list(IssuedDocument.objects.filter(instance_id=application.instance_id).defer("content"))


def download(request: HttpRequest, application: Application, document_id: int) -> HttpResponse:
    """One issued document as an attachment; 404 unless it belongs to ``application``."""
    found = IssuedDocument.objects.filter(pk=document_id, instance_id=application.instance_id).first()
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.content), content_type=f"{found.media_type}; charset=utf-8")
    safe_name = "".join(ch for ch in found.name if ch.isalnum() or ch in "-_.") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    # should a browser render it anyway, nothing in it may run or load
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
