"""Prefilling the start form for a signed-in citizen with what the agency already knows (docs/portal.md, "Prefill").

The first time a signed-in citizen with a party opens a form with ``civicflow:prefill`` fields,
the prefill plugins (civicflow.parties.prefill) are asked once and their values fill the answers
that are still empty: an answer given before, in this session or a saved draft, is never
overwritten. What was filled is kept in the session (field, source, value, editable), so each
field shows "Prefilled from: ...", a field the form does not let the citizen change is read-only
and a changed value posted for it is ignored, and the submit records one PrefillRecord per field
(``changed`` when the citizen corrected it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from civicflow import parties
from civicflow.forms import (
    FieldView,
    Form,
    FormSchemaError,
    changed_answers,
    keep_prefilled,
    prefill_answers,
    prefill_requests,
)
from civicflow.parties.models import Party, PrefillRecord
from civicflow.parties.prefill import PrefillContext, PrefillError, builtin_registry, find_values, plugins_for
from civicflow.portal import _accounts

__all__ = ["annotate", "fill", "keep_fixed", "notice", "record"]

logger = logging.getLogger(__name__)


def _key(service_id: str) -> str:
    return f"portal:{service_id}:prefill"


def _party(request: HttpRequest) -> Party | None:
    account = _accounts.citizen(request)
    return parties.party_for_account(account.pk) if account is not None else None


def _filled(request: HttpRequest, service_id: str, party: Party | None = None) -> dict[str, dict[str, Any]]:
    """What was prefilled for the citizen signed in now, ``party`` if the caller has it already (nothing
    once they signed out or someone else signed in)."""
    stored = request.session.get(_key(service_id))
    if not isinstance(stored, dict) or not isinstance(stored.get("fields"), dict):
        return {}
    party = party or _party(request)
    return stored["fields"] if party is not None and stored.get("party") == str(party.id) else {}


def _forget_another_party(request: HttpRequest, service_id: str, answers: dict[str, Any], party: Party | None) -> None:
    """Drop what was prefilled for another party (the citizen signed out, or someone else signed in on this
    browser): the unchanged prefilled answers go too, so nobody sees another person's registered details."""
    stored = request.session.get(_key(service_id))
    if not isinstance(stored, dict) or (party is not None and stored.get("party") == str(party.id)):
        return
    fields = stored.get("fields")
    entries = fields.values() if isinstance(fields, dict) else ()
    prefilled = {tuple(entry["path"]): entry["value"] for entry in entries}
    unchanged = set(prefilled) - changed_answers(answers, prefilled)
    for path in unchanged:
        parent: Any = answers
        for segment in path[:-1]:
            parent = parent.get(segment) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    del request.session[_key(service_id)]


def fill(request: HttpRequest, service_id: str, form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` with the empty prefill fields filled, once per session and service (signed-in citizens only)."""
    party = _party(request)
    _forget_another_party(request, service_id, answers, party)
    if party is None or _key(service_id) in request.session:
        return answers
    try:
        requests = prefill_requests(form)
    except FormSchemaError as error:
        logger.warning("the %s start form's prefill declarations are malformed: %s", service_id, error)
        requests = ()
    found = find_values(PrefillContext(party=party, service=service_id), requests, plugins=plugins_for(requests))
    merged, filled = prefill_answers(answers, requests, {path: value.value for path, value in found.items()})
    fields = {
        asked.name: {
            "path": list(asked.path),
            "source": found[asked.path].source,
            "reference": found[asked.path].reference,
            "value": found[asked.path].value,
            "editable": asked.editable,
        }
        for asked in filled
    }
    request.session[_key(service_id)] = {"party": str(party.id), "fields": fields}
    return merged


def keep_fixed(request: HttpRequest, service_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` with the prefilled values the citizen may not change put back (whatever was posted)."""
    fixed = {
        tuple(entry["path"]): entry["value"]
        for entry in _filled(request, service_id).values()
        if not entry.get("editable", True)
    }
    return keep_prefilled(answers, fixed) if fixed else answers


def _describe(source: str, reference: str) -> str:
    try:
        return builtin_registry().create(source).describe(reference)
    except (KeyError, PrefillError):  # a plugin gone or misconfigured since: its name is all there is
        return source


def _note(entry: Mapping[str, Any]) -> str:
    where = _describe(str(entry["source"]), str(entry.get("reference", "")))
    if entry.get("editable", True):
        return gettext("Prefilled from: %(source)s. Check it and correct it if it is wrong.") % {"source": where}
    return gettext("Prefilled from: %(source)s. You cannot change it here.") % {"source": where}


def annotate(request: HttpRequest, service_id: str, views: list[FieldView]) -> tuple[list[FieldView], dict[str, Any]]:
    """The views with prefilled fields described by their note (``aria-describedby``) and read-only
    where they may not be changed, and the notes by field name (``id``, ``text``) for the template."""
    filled = _filled(request, service_id)
    notes: dict[str, Any] = {}

    def walk(view: FieldView) -> FieldView:
        if view.children:
            view = replace(view, children=tuple(walk(child) for child in view.children))
        entry = filled.get(view.name)
        if entry is None or view.input_type in {"group", "list"}:
            return view
        note_id = f"{view.id}-prefill"
        notes[view.name] = {"id": note_id, "text": _note(entry)}
        described = " ".join(part for part in (view.aria_describedby, note_id) if part)
        return replace(view, aria_describedby=described, readonly=view.readonly or not entry.get("editable", True))

    return [walk(view) for view in views], notes


def notice(request: HttpRequest, service_id: str) -> list[str]:
    """What each source that filled a field is used for (shown above the form); empty when nothing was filled."""
    sources = sorted({str(entry["source"]) for entry in _filled(request, service_id).values()})
    purposes = []
    for source in sources:
        try:
            purposes.append(builtin_registry().create(source).purpose())
        except (KeyError, PrefillError):
            continue
    return purposes


def record(request: HttpRequest, service_id: str, instance_id: Any, values: Mapping[str, Any]) -> int:
    """PrefillRecord rows for the submitted application (``changed``: the citizen corrected the value); how many."""
    party = _party(request)
    filled = _filled(request, service_id, party)
    request.session.pop(_key(service_id), None)
    if not filled or party is None:
        return 0
    now = timezone.now()
    registry = builtin_registry()
    changed = changed_answers(values, {tuple(entry["path"]): entry["value"] for entry in filled.values()})
    rows = []
    for name, entry in filled.items():
        source, reference = str(entry["source"]), str(entry.get("reference", ""))
        try:
            detail = registry.create(source).source_detail(reference)
        except (KeyError, PrefillError):
            detail = source
        rows.append(
            PrefillRecord(
                party=party,
                instance_id=instance_id,
                service=service_id,
                field=name[:200],
                source=source[:50],
                source_detail=detail[:300],
                changed=tuple(entry["path"]) in changed,
                at=now,
            )
        )
    PrefillRecord.objects.bulk_create(rows)
    return len(rows)
