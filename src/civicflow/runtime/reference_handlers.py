"""In-process job handlers for the reference services' own job types (registered at Django start).

``issue-document`` gives a permit document's metadata (the citizen portal registers the handler
that also renders the permit and stores it with the application: civicflow.portal._documents) and
``audit-access`` records an audit line for an access to a patient's records. ``email``, ``http``
and ``publish`` are connectors (:mod:`civicflow.connectors`). ``fire-safety-register`` stays an
external-task topic, answered over the REST API by ``examples/fire_safety_worker.py``: it is in
the default of ``CIVICFLOW_EXTERNAL_TOPICS`` (docs/reference-services.md).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from civicflow.runtime.clock import current_clock
from civicflow.runtime.jobs import job_variables, register
from civicflow.runtime.models import Job

__all__ = ["EXTERNAL_REFERENCE_TOPICS", "audit_access", "issue_document"]

log = logging.getLogger("civicflow.audit")

EXTERNAL_REFERENCE_TOPICS = ("fire-safety-register",)
"""Job types of the reference services served by external-task workers, never in-process."""


def _case_of(values: dict[str, Any], job: Job) -> str:
    for name in ("caseNumber", "claimId", "transferId"):
        if values.get(name):
            return str(values[name])
    return str(job.instance_id)


@register("issue-document")
def issue_document(job: Job) -> dict[str, Any]:
    """The permit document's reference and metadata (``permitDocument``, ``permitDocumentMeta``)."""
    values = job_variables(job)
    case = _case_of(values, job)
    name = f"{case}-permit.pdf"
    issued = current_clock().now().isoformat()
    digest = hashlib.sha256(f"{case}|{issued}".encode()).hexdigest()[:16]
    meta = {"name": name, "mediaType": "application/pdf", "issued": issued, "case": case, "id": digest}
    return {"permitDocument": name, "permitDocumentMeta": meta}


@register("audit-access")
def audit_access(job: Job) -> dict[str, Any]:
    """An audit line for an access to records (``auditEntry`` id, ``auditLog`` line); also logged."""
    local = job_variables(job, local=True)
    values = job_variables(job)
    subject = str(local.get("subject") or _case_of(values, job))
    parties = local.get("parties") or []
    at = current_clock().now().isoformat()
    entry = "AUD-" + hashlib.sha256(f"{subject}|{job.key}|{at}".encode()).hexdigest()[:10].upper()
    line = f"{at} access to records of {subject} by {', '.join(str(p) for p in parties) or 'unknown'}"
    log.debug("record access audited", extra={"audit_entry": entry, "subject": subject})
    return {"auditEntry": entry, "auditLog": line}
