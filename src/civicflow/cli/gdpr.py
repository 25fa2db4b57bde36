"""``civicflow gdpr``: data subject rights (access export, erasure), legal holds, retention, records (Art. 30).

The reads live here (the portal sits above the security layer); the shaping is ``security._gdpr``.
See docs/security.md, "Data subject rights and records of processing".
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from civicflow.cli._common import fail, print_json, setup_django

if TYPE_CHECKING:
    from civicflow.cli._erasure import Subject
    from civicflow.portal.models import Application
    from civicflow.services import ReferenceService

__all__ = ["app"]

app = typer.Typer(help="Data subject rights: access export and erasure.", no_args_is_help=True)

_SECURITY_MEASURES = "see docs/security.md (the technical and organisational measures in place)"
_NOT_SET = "not set: this service's metadata states no retention period"
_SUBJECT_HELP = (
    "The citizen's email address or portal account id, or a party: party:<id>, national-id:<n>, company-number:<n>."
)


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


def _collect(found: Subject, subject: str, *, with_files: bool) -> dict[str, Any]:
    from django.utils import timezone

    from civicflow.cli._gdpr_parties import export_parties
    from civicflow.portal.models import CitizenAccount, Draft
    from civicflow.security._gdpr import EXPORT_SCHEMA

    account = None if found.account_id is None else CitizenAccount.objects.get(pk=found.account_id)
    applications = found.applications
    drafts = list(Draft.objects.filter(pk__in=found.draft_ids).order_by("created"))
    if not found.holds_data:
        _nothing_held(found, subject)
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
        # their party records, whole (every case, message, consent, evidence, prefill), with who viewed them
        "parties": export_parties(found.party_ids),
        "co_signs": _co_signs(found),
    }


def _co_signs(found: Subject) -> list[dict[str, Any]]:
    """Co-signing requests (docs/portal.md): those holding the subject's own application, and those that
    asked the subject to co-sign someone else's. The other person's address is theirs, not the subject's:
    it is not in the export."""
    from django.db.models import Q

    from civicflow.portal.models import CoSignRequest

    mine = Q(draft_id__in=found.draft_ids) | Q(pk__in=found.co_sign_ids)
    if found.account_id is not None:
        mine |= Q(account_id=found.account_id)
    return [
        {
            "role": "co-signer" if str(request.pk) in found.co_sign_ids else "applicant",
            "service": request.service,
            "state": request.state,
            "created": _iso(request.created),
            "expires": _iso(request.expires),
            "invitations": request.invitations,
            "decided_at": _iso(request.decided_at),
        }
        for request in CoSignRequest.objects.filter(mine).order_by("created")
    ]


@app.command()
def export(
    subject: Annotated[str, typer.Argument(help=_SUBJECT_HELP)],
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

    from civicflow.security import audit, keys
    from civicflow.security._gdpr import export_html

    try:
        found = _subject(subject)
        collected = _collect(found, subject, with_files=with_files)
        # handing a subject's data out is a read of it: the trail says who (the operator's CLI), of whom
        # (the subject's keyed reference, never the address) and which applications
        details = {
            "applications": found.references,
            "parties": list(found.party_ids),
            "format": output_format,
            "with_files": with_files,
        }
        audit.record(
            actor="cli", action="SubjectExported", obj=("subject", keys.reference(found.identity)), details=details
        )
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
                "retention_schedule": _schedule(item),
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


def _schedule(item: ReferenceService) -> dict[str, Any] | None:
    retention = item.retention
    if retention is None:
        return None
    return {
        "after_days": retention.after_days,
        "action": str(retention.action),
        "legal_basis": retention.legal_basis.en,
        "kept_permanently_at": list(retention.kept_at),
    }


def _now() -> datetime:
    from civicflow.runtime.clock import current_clock

    return current_clock().now()


def _nothing_held(found: Subject, subject: str) -> NoReturn:
    fail(
        f"no personal data held for {found.email or subject}: "
        "no account, application, draft, party or co-signing request"
    )


def _subject(text: str) -> Subject:
    from civicflow.cli._erasure import ErasureError, find_subject

    try:
        return find_subject(text)
    except ErasureError as exc:
        fail(str(exc))


def _already_erased(subject: Subject) -> str | None:
    """When the subject (by address) was erased before, if they were: a rerun is then a no-op."""
    from civicflow.security import keys
    from civicflow.security.models import AuditEntry

    ref = keys.reference(subject.identity)
    at = (
        AuditEntry.objects.filter(action="SubjectErased", object_type="subject", object_ref=ref)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    return None if at is None else at.date().isoformat()


@app.command()
def erase(
    subject: Annotated[str, typer.Argument(help=_SUBJECT_HELP)],
    reason: Annotated[str, typer.Option("--reason", help="Why (a request number; no personal data).")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be erased; change nothing.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Erase a data subject's personal data by crypto-shredding (GDPR Art. 17), unless Art. 17(3) forbids it.

    Refused (exit 1) under a legal hold, while one of their cases is open, kept permanently or inside its
    service's retention period (the message names the case and the date it becomes erasable).
    """
    setup_django()
    from civicflow.cli._erasure import blockers, erase_subject

    found = _subject(subject)
    if not found.holds_data:
        if (when := _already_erased(found)) is not None:
            _report_erasure(json_output, {"subject": subject, "erased": True, "already": when, "removed": {}})
            return
        _nothing_held(found, subject)
    refused = blockers(found, _now())
    result: dict[str, Any] = {"subject": subject, "applications": found.references, "dry_run": dry_run}
    if refused:
        if json_output:
            print_json({**result, "erased": False, "blockers": [item.as_dict() for item in refused]})
            raise typer.Exit(1)
        fail(refused[0].message + (f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""))
    if dry_run:
        _report_erasure(json_output, {**result, "erased": False, "keys": len(found.identities), "blockers": []})
        return
    removed = erase_subject(found, reason=reason, actor="cli")
    _report_erasure(json_output, {**result, "erased": True, "removed": removed})


def _report_erasure(json_output: bool, result: dict[str, Any]) -> None:
    if json_output:
        print_json(result)
    elif result.get("already"):
        typer.echo(f"{result['subject']}: already erased on {result['already']}; nothing left to erase")
    elif result.get("dry_run"):
        cases = ", ".join(result["applications"]) or "none"
        typer.echo(f"{result['subject']}: would be erased (cases: {cases}; keys to shred: {result['keys']})")
    else:
        removed = ", ".join(f"{kind.replace('_', ' ')}: {count}" for kind, count in result["removed"].items())
        typer.echo(f"{result['subject']}: erased ({removed or 'nothing left to remove'})")


@app.command()
def hold(
    subject: Annotated[str, typer.Argument(help=_SUBJECT_HELP)],
    on: Annotated[bool, typer.Option("--on/--off", help="Set or lift the legal hold.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (a case or court reference; no personal data).")] = "",
) -> None:
    """Set or lift a legal hold (GDPR Art. 17(3)(e)): while set, erasure and retention leave the subject alone."""
    setup_django()
    from django.db import transaction

    from civicflow.security import audit, keys

    found = _subject(subject)
    if on and not reason.strip():
        fail("--reason is required with --on: say why the data must be kept", code=2)
    with transaction.atomic():
        for identity in found.hold_identities:
            if on or keys.on_hold(identity):
                keys.set_legal_hold(identity, hold=on)
        details = {"applications": found.references} | ({"reason": reason[:200]} if reason else {})
        audit.record(
            actor="cli",
            action="LegalHoldSet" if on else "LegalHoldLifted",
            obj=("subject", keys.reference(found.identity)),
            details=details,
        )
    state = "set" if on else "lifted"
    typer.echo(f"{subject}: legal hold {state} ({len(found.applications)} application(s))")


@app.command()
def retention(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the cases due; change nothing.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many cases per run.")] = 1000,
) -> None:
    """Apply the services' retention schedules now (the worker does this every CIVICFLOW_RETENTION_INTERVAL)."""
    setup_django()
    from civicflow.cli._retention_step import run_retention

    report = run_retention(_now(), dry_run=dry_run, limit=limit)
    if json_output:
        print_json(report.as_dict())
    else:
        typer.echo("\n".join(report.lines()))
