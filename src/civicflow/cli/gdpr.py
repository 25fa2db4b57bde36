"""``civicflow gdpr``: data subject rights (access export) and the records of processing (Art. 30).

The reads live here (the portal sits above the security layer); the shaping is ``security._gdpr``.
See docs/security.md, "Data subject rights and records of processing".
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from civicflow.cli._common import fail, not_available, print_json, setup_django

if TYPE_CHECKING:
    from civicflow.portal.models import Application

__all__ = ["app"]

app = typer.Typer(help="Data subject rights: access export and erasure.", no_args_is_help=True)

_SECURITY_MEASURES = "see docs/security.md (the technical and organisational measures in place)"
_NOT_SET = "not set: this service's metadata states no retention period"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _actor_names(actors: set[str]) -> dict[str, str]:
    from django.contrib.auth.models import User

    ids = {int(actor[5:]) for actor in actors if actor.startswith("user:") and actor[5:].isdigit()}
    return {f"user:{pk}": name for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "username")}


def _access(application: Application) -> list[dict[str, Any]]:
    """The audit entries whose object is this application, its process instance or one of its tasks."""
    from django.db.models import Q

    from civicflow.runtime.models import UserTask
    from civicflow.security.models import AuditEntry

    tasks = [
        str(pk) for pk in UserTask.objects.filter(instance_id=application.instance_id).values_list("pk", flat=True)
    ]
    where = (
        Q(object_type="application", object_ref=application.reference)
        | Q(object_type="instance", object_ref=str(application.instance_id))
        | Q(object_type="task", object_ref__in=tasks)
    )
    rows = list(
        AuditEntry.objects.filter(where)
        .order_by("seq")
        .values("seq", "at", "actor", "action", "object_type", "object_ref")
    )
    names = _actor_names({row["actor"] for row in rows})
    return [
        {
            "seq": row["seq"],
            "at": _iso(row["at"]),
            "actor": row["actor"],
            "actor_name": names.get(row["actor"]),
            "action": row["action"],
            "object": f"{row['object_type']}:{row['object_ref']}",
        }
        for row in rows
    ]


def _application(application: Application, *, with_files: bool) -> dict[str, Any]:
    from civicflow.portal.models import IssuedDocument, SatisfactionResponse
    from civicflow.runtime import services
    from civicflow.runtime.errors import NotFoundError
    from civicflow.services import service
    from civicflow.web.attachments import document_storage

    try:
        status: str | None = services.get_instance(application.instance_id).status
        data = services.variables(application.instance_id)
    except NotFoundError:  # the instance's history was cleaned up
        status, data = None, {}
    try:
        title: str | None = service(application.service).title.en
    except KeyError:
        title = None
    documents = []
    for document in application.documents.order_by("created"):
        item: dict[str, Any] = {
            "name": document.name,
            "field": document.field,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": _iso(document.created),
        }
        if with_files:
            with document_storage().open(document.storage_name, "rb") as handle:
                item["content_base64"] = base64.b64encode(handle.read()).decode("ascii")
        documents.append(item)
    issued = IssuedDocument.objects.filter(reference=application.reference).order_by("issued")
    answer = SatisfactionResponse.objects.filter(reference=application.reference).first()
    return {
        "reference": application.reference,
        "service": application.service,
        "service_title": title,
        "status": status,
        "submitted_at": _iso(application.created),
        "language": application.language,
        "email": application.email,
        "data": data,
        "documents": documents,
        "issued_documents": [
            {
                "kind": doc.kind,
                "name": doc.name,
                "media_type": doc.media_type,
                "sha256": doc.sha256,
                "issued": _iso(doc.issued),
            }
            for doc in issued
        ],
        "satisfaction": None
        if answer is None
        else {"score": answer.score, "comment": answer.comment, "answered_at": _iso(answer.answered_at)},
        "access": _access(application),
    }


def _collect(subject: str, *, with_files: bool) -> dict[str, Any]:
    from django.db.models import Q
    from django.utils import timezone

    from civicflow.portal.models import Application, CitizenAccount, Draft
    from civicflow.security._gdpr import EXPORT_SCHEMA

    key = subject.strip()
    if key.isdigit():
        account = CitizenAccount.objects.filter(pk=int(key)).first()
        if account is None:
            fail(f"no citizen account {key}")
        email = account.email
    elif "@" in key and len(key) <= 254:
        email = key.lower()
        account = CitizenAccount.objects.filter(email=email).first()
    else:
        fail("SUBJECT must be a citizen's email address or account id")
    found = Application.objects.filter(
        Q(email__iexact=email) | Q(account__email=email)
        if account is None
        else Q(email__iexact=email) | Q(account=account)
    )
    applications = list(found.order_by("created", "reference"))
    drafts = list(Draft.objects.filter(email__iexact=email).order_by("created"))
    if account is None and not applications and not drafts:
        fail(f"no personal data held for {email}: no account, application or draft")
    return {
        "schema": EXPORT_SCHEMA,
        "subject": subject,
        "generated_at": timezone.now().isoformat(),
        "account": None
        if account is None
        else {
            "id": account.pk,
            "email": account.email,
            "created": _iso(account.created),
            "last_sign_in": _iso(account.last_sign_in),
        },
        "applications": [_application(item, with_files=with_files) for item in applications],
        "drafts": [{"service": d.service, "created": _iso(d.created), "expires": _iso(d.expires)} for d in drafts],
    }


@app.command()
def export(
    subject: Annotated[str, typer.Argument(help="The citizen's email address or portal account id.")],
    output_format: Annotated[str, typer.Option("--format", help="json or html.")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    with_files: Annotated[bool, typer.Option("--with-files", help="Include uploaded files (base64).")] = False,
) -> None:
    """Export everything held about a data subject (GDPR Art. 15), with who viewed or acted on their cases."""
    if output_format not in ("json", "html"):
        fail(f"--format must be json or html, not {output_format!r}", code=2)
    setup_django()
    import json

    from django.db import DatabaseError

    from civicflow.security._gdpr import export_html

    try:
        collected = _collect(subject, with_files=with_files)
    except DatabaseError as exc:
        fail(f"cannot read the data ({' '.join(str(exc).split()) or type(exc).__name__}): is the database reachable?")
    text = (
        export_html(collected)
        if output_format == "html"
        else json.dumps(collected, indent=2, ensure_ascii=False, default=str) + "\n"
    )
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")


def _records() -> list[dict[str, Any]]:
    from civicflow.portal._guides import GUIDES
    from civicflow.portal._notices import NOTICES, personal_data, recipients
    from civicflow.services import REFERENCE_SERVICES

    records = []
    for item in REFERENCE_SERVICES:
        guide = GUIDES.get(item.id)
        notice = NOTICES.get(item.id)
        records.append(
            {
                "service": item.id,
                "name": item.title.en,
                "purpose": notice.purpose.en if notice else item.summary.en,
                "legal_basis": notice.legal_basis.en if notice else "not set",
                "data_categories": personal_data(guide, "en") if guide else [],
                "recipients": {
                    "departments": recipients(guide, "en") if guide else [],
                    "external_topics": sorted(set(item.job_types) - {"email"}),
                    "inbound_messages": list(item.messages),
                },
                "retention": notice.retention.en if notice else _NOT_SET,
                "security_measures": _SECURITY_MEASURES,
            }
        )
    return records


@app.command()
def records(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """The records of processing activities (GDPR Art. 30), generated from each reference service's metadata."""
    setup_django()
    from civicflow.security._gdpr import RECORDS_SCHEMA, records_text

    found = _records()
    if json_output:
        print_json({"schema": RECORDS_SCHEMA, "records": found})
    else:
        typer.echo(records_text(found), nl=False)


@app.command()
def erase(subject: Annotated[str, typer.Argument(help="Subject identifier.")]) -> None:
    """Erase a data subject's personal data by crypto-shredding (GDPR Art. 17)."""
    not_available("civicflow gdpr erase")
