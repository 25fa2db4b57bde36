"""A party's whole record as plain data: what the workbench, the API, the portal and the GDPR export show.

:func:`party_record` reads everything tied to the party; ``visible_instances`` narrows it to the
cases a reader may see (purpose limitation, docs/security.md "Parties"). Portal rows (uploads,
issued documents) are looked up by app label: the portal sits above this app (import contract).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from django.apps import apps
from django.db.models import F

from civicflow import services
from civicflow.parties.models import Party
from civicflow.runtime.models import ProcessInstance

__all__ = [
    "CaseItem",
    "ConsentItem",
    "DocumentItem",
    "EvidenceItem",
    "IssuedItem",
    "MessageItem",
    "PartyRecord",
    "PrefillItem",
    "party_record",
]

_Item = TypeVar("_Item")
UNKNOWN_STATUS = "unknown"  # the case's instance is gone (history cleanup): its row stays in the record


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseItem:
    instance_id: UUID
    service: str
    title_en: str  # the reference service's title; the service id for another process
    title_nl: str
    reference: str
    role: str
    status: str  # the instance's status (active, completed, terminated) or "unknown"
    started: datetime | None
    ended: datetime | None
    linked: datetime  # when the party was tied to the case

    def title(self, language: str) -> str:
        return self.title_nl if language.lower().split("-")[0] == "nl" else self.title_en


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageItem:
    instance_id: UUID | None
    direction: str
    channel: str
    subject: str | None  # None once erased
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentItem:
    """A file the party uploaded with an application (portal ``Document``)."""

    id: UUID
    instance_id: UUID
    reference: str
    field: str
    name: str
    content_type: str
    size: int
    created: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedItem:
    """A document the agency issued for one of the party's cases (portal ``IssuedDocument``)."""

    id: int
    instance_id: UUID
    reference: str
    kind: str
    name: str
    media_type: str
    issued: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentItem:
    id: UUID
    purpose: str
    service: str
    provider: str
    instance_id: UUID | None
    text_version: str
    given_at: datetime
    withdrawn_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceItem:
    id: UUID
    consent_id: UUID | None
    instance_id: UUID | None
    evidence_type: str
    requester: str
    provider: str
    state: str
    requested_at: datetime
    answered_at: datetime | None
    answer: Any  # the evidence provided (JSON); None without one or once erased
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefillItem:
    instance_id: UUID | None
    draft_id: UUID | None
    service: str
    field: str
    source: str
    source_detail: str
    changed: bool
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRecord:
    """A party's record; the contact details are None once erased (``gdpr erase`` shreds ``party:<id>``)."""

    id: UUID
    kind: str
    identifier_scheme: str
    identifier: str | None
    name: str | None
    email: str | None
    phone: str | None
    address: str | None
    language: str
    channel: str
    account_id: int | None
    created: datetime
    updated: datetime
    limited: bool  # True: narrowed to the reader's cases (purpose limitation)
    cases: tuple[CaseItem, ...]
    messages: tuple[MessageItem, ...]
    uploaded: tuple[DocumentItem, ...]
    issued: tuple[IssuedItem, ...]
    consents: tuple[ConsentItem, ...]
    evidence: tuple[EvidenceItem, ...]
    prefills: tuple[PrefillItem, ...]

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (UUIDs and times as strings): the API and the GDPR export."""
        found: dict[str, Any] = _jsonable(asdict(self))
        return found


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _titles(service_id: str) -> tuple[str, str]:
    found = services.find(service_id)
    return (found.title.en, found.title.nl) if found is not None else (service_id, service_id)


def _cases(party: Party, visible: set[UUID] | None) -> tuple[CaseItem, ...]:
    rows = [row for row in party.cases.all() if visible is None or row.instance_id in visible]
    instances = {
        row.pk: row
        for row in ProcessInstance.objects.filter(pk__in=[r.instance_id for r in rows]).only(
            "status", "started", "ended"
        )
    }
    items = []
    for row in rows:
        instance = instances.get(row.instance_id)
        title_en, title_nl = _titles(row.service)
        items.append(
            CaseItem(
                instance_id=row.instance_id,
                service=row.service,
                title_en=title_en,
                title_nl=title_nl,
                reference=row.reference,
                role=row.role,
                status=instance.status if instance is not None else UNKNOWN_STATUS,
                started=instance.started if instance is not None else None,
                ended=instance.ended if instance is not None else None,
                linked=row.created,
            )
        )
    return tuple(items)


def _documents(instance_ids: set[UUID]) -> tuple[tuple[DocumentItem, ...], tuple[IssuedItem, ...]]:
    uploads = apps.get_model("portal", "Document").objects.filter(application__instance_id__in=instance_ids)
    issued = apps.get_model("portal", "IssuedDocument").objects.filter(instance_id__in=instance_ids)
    names = [item.name for item in fields(DocumentItem) if item.name not in {"instance_id", "reference"}]
    rows = uploads.order_by("created", "id").values(
        *names, instance_id=F("application__instance_id"), reference=F("application__reference")
    )
    return (
        tuple(DocumentItem(**row) for row in rows),
        _items(IssuedItem, issued.defer("content").order_by("issued", "id"), lambda _instance: True),
    )


def _items(kind: type[_Item], rows: Iterable[Any], shown: Callable[[UUID | None], bool]) -> tuple[_Item, ...]:
    """An item per row tied to a shown case, its fields read from the row's attributes of the same names."""
    names = [item.name for item in fields(kind)]  # type: ignore[arg-type]
    return tuple(kind(**{name: getattr(row, name) for name in names}) for row in rows if shown(row.instance_id))


def party_record(party: Party, *, visible_instances: Collection[UUID] | None) -> PartyRecord:
    """The party's record: everything (``visible_instances=None``), or only what is tied to those cases.

    Contact details and preferences are always in it; messages, consents, evidence and prefills
    without a case are only in the whole record.
    """
    visible = None if visible_instances is None else {UUID(str(item)) for item in visible_instances}

    def shown(instance_id: UUID | None) -> bool:
        return visible is None or (instance_id is not None and instance_id in visible)

    cases = _cases(party, visible)
    uploaded, issued = _documents({case.instance_id for case in cases})
    return PartyRecord(
        id=party.id,
        kind=party.kind,
        identifier_scheme=party.identifier_scheme,
        identifier=party.identifier,
        name=party.name,
        email=party.email,
        phone=party.phone,
        address=party.address,
        language=party.language,
        channel=party.channel,
        account_id=party.account_id,
        created=party.created,
        updated=party.updated,
        limited=visible is not None,
        cases=cases,
        messages=_items(MessageItem, party.messages.all(), shown),
        uploaded=uploaded,
        issued=issued,
        consents=_items(ConsentItem, party.consents.all(), shown),
        evidence=_items(EvidenceItem, party.evidence_exchanges.all(), shown),
        prefills=_items(PrefillItem, party.prefills.all(), shown),
    )
