"""The audit trail's signed checkpoints on the transparency page (issue #11; docs/audit.md, "Checkpoints").

The page lists the latest 50 checkpoints with the public key; ``audit/checkpoints.json`` holds all of
them, each with the exact ``at`` string that was signed, so anyone can check every signature with the
public key alone and keep a copy to compare a later chain against (``civicflow audit verify``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from civicflow.portal._transparency import _json, _private
from civicflow.security._keys import public_key_pem
from civicflow.security.audit import iso
from civicflow.security.models import AuditCheckpoint

__all__ = ["checkpoints_json", "page"]

_PAGE_ROWS = 50
ALGORITHM = "Ed25519"


def _row(point: AuditCheckpoint) -> dict[str, Any]:
    return {"seq": point.seq, "head": point.head, "at": iso(point.at), "key_id": point.key_id,
            "signature": point.signature}  # fmt: skip


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    """The latest checkpoints, newest first, with the public key and how to verify them."""
    latest = AuditCheckpoint.objects.order_by("-seq")[:_PAGE_ROWS]
    context = {"checkpoints": [dict(_row(p), time=p.at) for p in latest],
               "total": AuditCheckpoint.objects.count(), "public_key": public_key_pem(),
               "algorithm": ALGORITHM}  # fmt: skip
    return _private(render(request, "portal/transparency_audit.html", context))


@require_safe
def checkpoints_json(request: HttpRequest) -> HttpResponse:
    """Every checkpoint (oldest first) with the public key that verifies them."""
    rows = [_row(p) for p in AuditCheckpoint.objects.order_by("seq").iterator()]
    data = {
        "algorithm": ALGORITHM,
        "public_key": public_key_pem(),
        "signed_message": 'canonical JSON of {"seq", "head", "at"} (docs/audit.md)',
        "checkpoints": rows,
    }
    return _json(data, "application/json")
