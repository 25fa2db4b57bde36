"""Staff download the documents a citizen sent with a case (portal uploads).

The portal owns the ``Document`` model; the workbench and the portal are independent apps
(import contract), so the model is looked up by its app label, as Django does for models that
belong to another app.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.apps import apps
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from civicflow.security import audit
from civicflow.web.attachments import attachment
from civicflow.workbench._access import may_see_instance, requires

__all__ = ["case_documents", "document"]


def case_documents(instance_id: UUID | str) -> list[Any]:
    """The documents the citizen sent for the case ``instance_id``, in the order they came."""
    model = apps.get_model("portal", "Document")
    return list(model.objects.filter(application__instance_id=instance_id).order_by("created", "id"))


@require_safe
@requires("view_case")
def document(request: HttpRequest, instance_id: UUID, document_id: UUID) -> HttpResponseBase:
    """A document of a case the user may see; 404 for any other (existence is not revealed)."""
    if not may_see_instance(request.user, instance_id):
        raise Http404
    found = next((d for d in case_documents(instance_id) if d.pk == document_id), None)
    if found is None:
        raise Http404
    details = {"instance": str(instance_id)}
    audit.record(
        actor=f"user:{request.user.pk}", action="DocumentDownloaded", obj=("document", str(found.pk)), details=details
    )
    return attachment(found.storage_name, name=found.name, content_type=found.content_type)
