"""Formatting of a data subject's access export (GDPR Art. 15) and the records of processing (Art. 30).

Pure: the values are read by ``civicflow.cli.gdpr``; this module only shapes them. The export's JSON
shape is documented in docs/security.md ("Data subject rights and records of processing"). Every
value in the HTML page is escaped: the export holds what citizens typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["EXPORT_SCHEMA", "RECORDS_SCHEMA", "export_html", "records_text"]

EXPORT_SCHEMA = "civicflow.gdpr.export/1"
RECORDS_SCHEMA = "civicflow.gdpr.records/1"

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #767676;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}"
)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, bool | int | float):
        return escape(str(value))
    return f"<pre>{escape(json.dumps(value, indent=2, ensure_ascii=False, default=str))}</pre>"


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f'<th scope="col">{escape(title)}</th>' for _key, title in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(row.get(key))}</td>" for key, _title in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _application(item: Mapping[str, Any]) -> str:
    data = [{"field": key, "value": value} for key, value in item.get("data", {}).items()]
    satisfaction = item.get("satisfaction")
    parts = [
        f"<h2>Application {escape(str(item['reference']))}</h2>",
        "<dl>",
        f"<dt>Service</dt><dd>{_text(item.get('service_title'))} ({_text(item.get('service'))})</dd>",
        f"<dt>Status</dt><dd>{_text(item.get('status'))}</dd>",
        f"<dt>Submitted</dt><dd>{_text(item.get('submitted_at'))}</dd>",
        f"<dt>Email for notices</dt><dd>{_text(item.get('email') or None)}</dd>",
        "</dl>",
        "<h3>The data you gave and the case holds</h3>",
        _table(data, (("field", "Field"), ("value", "Value")), "No data held."),
        "<h3>Documents you uploaded</h3>",
        _table(
            item.get("documents", []),
            (("name", "Name"), ("content_type", "Type"), ("size", "Size (bytes)"), ("sha256", "SHA-256")),
            "No documents.",
        ),
        "<h3>Documents issued to you</h3>",
        _table(
            item.get("issued_documents", []),
            (("name", "Name"), ("kind", "Kind"), ("issued", "Issued"), ("sha256", "SHA-256")),
            "No documents issued.",
        ),
        "<h3>Your satisfaction answer</h3>",
        _table(
            [satisfaction] if satisfaction else [],
            (("score", "Score"), ("comment", "Comment"), ("answered_at", "Answered")),
            "No answer given.",
        ),
        "<h3>Who viewed or acted on this application</h3>",
        _table(
            item.get("access", []),
            (("at", "When"), ("actor", "Who"), ("actor_name", "Name"), ("action", "What"), ("object", "On")),
            "Nobody has viewed or acted on it yet.",
        ),
    ]
    return "\n".join(parts)


_PARTY_TABLES = (
    (
        "Your cases",
        "cases",
        (
            ("title_en", "Service"),
            ("reference", "Reference"),
            ("role", "As"),
            ("status", "Status"),
            ("linked", "Since"),
        ),
        "No cases.",
    ),
    (
        "Messages",
        "messages",
        (("at", "When"), ("direction", "Sent or received"), ("channel", "Channel"), ("subject", "Subject")),
        "No messages.",
    ),
    (
        "Documents you uploaded",
        "uploaded",
        (("name", "Name"), ("reference", "Application"), ("content_type", "Type"), ("created", "Uploaded")),
        "No documents.",
    ),
    (
        "Documents issued to you",
        "issued",
        (("name", "Name"), ("reference", "Application"), ("kind", "Kind"), ("issued", "Issued")),
        "No documents issued.",
    ),
    (
        "Consents you gave",
        "consents",
        (
            ("purpose", "Purpose"),
            ("provider", "Asked of"),
            ("service", "For"),
            ("given_at", "Given"),
            ("withdrawn_at", "Withdrawn"),
        ),
        "No consents.",
    ),
    (
        "Evidence asked of other agencies",
        "evidence",
        (
            ("evidence_type", "Evidence"),
            ("provider", "From"),
            ("state", "State"),
            ("requested_at", "Asked"),
            ("answer", "Answer"),
        ),
        "No evidence asked for.",
    ),
    (
        "Form fields filled in for you",
        "prefills",
        (
            ("field", "Field"),
            ("service", "Service"),
            ("source_detail", "From"),
            ("changed", "You changed it"),
            ("at", "When"),
        ),
        "No fields filled in for you.",
    ),
    (
        "Who viewed your record",
        "views",
        (("at", "When"), ("actor", "Who"), ("channel", "Where"), ("cases", "Cases shown")),
        "Nobody has viewed your record yet.",
    ),
)


def _party(item: Mapping[str, Any]) -> str:
    """One party record ("Your record"): contact details, preferences, then every list of it."""
    parts = [
        f"<h2>Your record ({_text(item.get('kind'))}, {_text(item.get('identifier_scheme'))})</h2>",
        "<dl>",
        f"<dt>Identifier</dt><dd>{_text(item.get('identifier'))}</dd>",
        f"<dt>Name</dt><dd>{_text(item.get('name'))}</dd>",
        f"<dt>Email</dt><dd>{_text(item.get('email'))}</dd>",
        f"<dt>Phone</dt><dd>{_text(item.get('phone'))}</dd>",
        f"<dt>Address</dt><dd>{_text(item.get('address'))}</dd>",
        f"<dt>Language and channel</dt><dd>{_text(item.get('language'))}, {_text(item.get('channel'))}</dd>",
        "</dl>",
    ]
    for title, key, columns, empty in _PARTY_TABLES:
        parts += [f"<h3>{escape(title)}</h3>", _table(item.get(key, []), columns, empty)]
    return "\n".join(parts)


def export_html(export: Mapping[str, Any]) -> str:
    """A self-contained, readable English page of the export (no scripts, no external resources)."""
    account = export.get("account")
    applications = export.get("applications", [])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Your personal data held by CivicFlow: {escape(str(export['subject']))}</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>Your personal data</h1>",
        f"<p>Subject: {escape(str(export['subject']))}. Generated at {escape(str(export['generated_at']))}.</p>",
        f"<p>Account: {_text(account and account.get('email'))}</p>" if account else "<p>No portal account.</p>",
        *(_party(item) for item in export.get("parties", [])),
        f"<p>{len(applications)} application(s).</p>",
        *(_application(item) for item in applications),
        "<h2>Co-signing</h2>",
        _table(
            export.get("co_signs", []),
            (
                ("role", "You were"),
                ("service", "Service"),
                ("state", "State"),
                ("created", "Asked"),
                ("expires", "Link valid until"),
                ("decided_at", "Decided"),
            ),
            "No co-signing requests.",
        ),
        "<h2>Unfinished drafts</h2>",
        _table(
            export.get("drafts", []),
            (("service", "Service"), ("created", "Started"), ("expires", "Deleted after")),
            "No drafts.",
        ),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _schedule_text(schedule: Mapping[str, Any] | None) -> str:
    if not schedule:
        return "none: cases are kept until erased on request"
    text = f"{schedule['action']} {schedule['after_days']} days after the case ended"
    if schedule.get("kept_permanently_at"):
        text += "; kept permanently when it ended at " + ", ".join(schedule["kept_permanently_at"])
    return f"{text} ({schedule['legal_basis']})"


def records_text(records: Sequence[Mapping[str, Any]]) -> str:
    """The records of processing as plain text, one block per service."""
    blocks: list[str] = []
    for record in records:
        lines = [
            f"{record['service']}: {record['name']}",
            f"  purpose: {record['purpose']}",
            f"  legal basis: {record['legal_basis']}",
            "  categories of data (personal): " + ", ".join(record["data_categories"]),
            "  recipients (departments): " + (", ".join(record["recipients"]["departments"]) or "none"),
            "  case data passed to connectors and workers (job topics; internal or external): "
            + (", ".join(record["recipients"]["external_topics"]) or "none"),
            "  received from outside (messages): " + (", ".join(record["recipients"]["inbound_messages"]) or "none"),
            f"  retention: {record['retention']}",
            f"  retention schedule (run by the worker): {_schedule_text(record.get('retention_schedule'))}",
            f"  security measures: {record['security_measures']}",
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
