"""Making, linking and opening parties (issue #13). Every view of a record goes through :func:`open_party_record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from civicflow.parties._records import PartyRecord, party_record
from civicflow.parties.models import (
    Consent,
    Party,
    PartyCase,
    PartyKind,
    PartyMessage,
    PartyRole,
    Scheme,
    identifier_index,
    normalise_identifier,
)
from civicflow.runtime.models import UserTask
from civicflow.security import audit, policy

__all__ = [
    "active_consent",
    "give_consent",
    "open_party_record",
    "party_for_account",
    "party_for_identity",
    "record_case",
    "record_case_message",
    "record_message",
    "viewer_instances",
    "withdraw_consent",
]

_SCHEMES = frozenset(Scheme.values)
_KINDS = frozenset(PartyKind.values)
_ROLES = frozenset(PartyRole.values)


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: one of {', '.join(sorted(allowed))}")


def _touch(party: Party, *, account_id: int | None, now: datetime) -> Party:
    fields = ["updated"]
    if account_id is not None and party.account_id != account_id:
        party.account_id = account_id
        fields.append("account_id")
    party.updated = now
    party.save(update_fields=fields)
    return party


def _email_party_of_account(account_id: int | None) -> Party | None:
    """The citizen party an account already has (made by an eID sign-in, say): an email sign-in finds it."""
    if account_id is None:
        return None
    return Party.objects.filter(account_id=account_id, kind=PartyKind.CITIZEN).order_by("-updated").first()


def _upgrade(party: Party, *, scheme: str, identifier: str, now: datetime) -> Party | None:
    """Give an account's email-identified citizen party the national id it signed in with (one person, one record)."""
    if party.identifier_scheme != Scheme.EMAIL:
        return None
    if party.email is None and party.identifier is not None:  # keep the address as contact details
        party.set_email(party.identifier)
    party.set_identifier(scheme, identifier)
    party.updated = now
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError:  # another sign-in made the national-id party meanwhile
        return None
    return party


def party_for_identity(
    *, scheme: str, identifier: str, kind: str = "citizen", account_id: int | None = None, now: datetime
) -> Party:
    """The party of an identifier (found by its blind index), made if new; ``account_id`` is linked if given.

    An email address is also its new party's contact address. An account whose citizen party was
    made from its email address and now signs in with a national id keeps that one party, which
    is identified by the national id from then on; a later email sign-in of the account finds it.
    """
    _check(scheme, _SCHEMES, "identifier scheme")
    _check(kind, _KINDS, "party kind")
    found = normalise_identifier(scheme, identifier)
    if not found:
        raise ValueError("a party's identifier is not empty")
    blind = identifier_index(scheme, found)
    existing = Party.objects.filter(identifier_scheme=scheme, identifier_index=blind).first()
    if existing is not None:
        return _touch(existing, account_id=account_id, now=now)
    if kind == PartyKind.CITIZEN:
        mine = _email_party_of_account(account_id)
        if mine is not None and scheme == Scheme.EMAIL:
            return _touch(mine, account_id=account_id, now=now)
        if mine is not None and scheme == Scheme.NATIONAL_ID:
            upgraded = _upgrade(mine, scheme=scheme, identifier=found, now=now)
            if upgraded is not None:
                return upgraded
    party = Party(kind=kind, account_id=account_id, created=now, updated=now)
    party.set_identifier(scheme, found)
    if scheme == Scheme.EMAIL:
        party.set_email(found)
    try:
        with transaction.atomic():
            party.save(force_insert=True)
    except IntegrityError:  # made by a concurrent sign-in: that one is the party
        return _touch(
            Party.objects.get(identifier_scheme=scheme, identifier_index=blind), account_id=account_id, now=now
        )
    return party


def party_for_account(account_id: int) -> Party | None:
    """The party a portal account signed in as last; None when it has none.

    A business's eID sign-in touches the person's party and the business's at the same time: the
    business's is then the current one (its session applies on the business's behalf).
    """
    # "business" sorts before "citizen"
    return Party.objects.filter(account_id=account_id).order_by("-updated", "kind", "-created").first()


def record_case(
    party: Party,
    *,
    instance_id: UUID,
    service: str,
    reference: str = "",
    role: str = "applicant",
    now: datetime,
) -> PartyCase:
    """Tie the party to a case in a role (once: a second call returns the first row)."""
    _check(role, _ROLES, "role")
    row, _created = PartyCase.objects.get_or_create(
        party=party,
        instance_id=instance_id,
        role=role,
        defaults={"service": service, "reference": reference, "created": now},
    )
    return row


def record_message(
    party: Party, *, instance_id: UUID | None, direction: str, channel: str, subject: str, now: datetime
) -> PartyMessage:
    """Note a message sent to or received from the party; its subject line is sealed under the party."""
    message = PartyMessage(party=party, instance_id=instance_id, direction=direction, channel=channel, at=now)
    message.set_subject(subject)
    message.full_clean(exclude=["party", "subject_sealed"])
    message.save()
    return message


def record_case_message(
    instance_id: UUID, *, direction: str, channel: str, subject: str, now: datetime, role: str = "applicant"
) -> int:
    """Note a message about case ``instance_id`` in the record of each party who is its ``role``; how many."""
    found = Party.objects.filter(cases__instance_id=instance_id, cases__role=role).distinct()
    for party in found:
        record_message(party, instance_id=instance_id, direction=direction, channel=channel, subject=subject, now=now)
    return len(found)


def give_consent(
    party: Party,
    *,
    purpose: str,
    service: str,
    provider: str,
    instance_id: UUID | None = None,
    text_version: str,
    now: datetime,
) -> Consent:
    """Record the party's consent that ``service`` asks ``provider`` for evidence for ``purpose``."""
    if not (purpose and service and provider and text_version):
        raise ValueError("a consent names its purpose, service, provider and the text version shown")
    return Consent.objects.create(
        party=party,
        purpose=purpose,
        service=service,
        provider=provider,
        instance_id=instance_id,
        text_version=text_version,
        given_at=now,
    )


def withdraw_consent(consent: Consent, *, now: datetime) -> Consent:
    """Withdraw a consent (once: a withdrawn one keeps its first time)."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = now
        Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return consent


def active_consent(party: Party, *, purpose: str, provider: str) -> Consent | None:
    """The party's latest consent for this purpose and provider that is not withdrawn."""
    return (
        Consent.objects.filter(party=party, purpose=purpose, provider=provider, withdrawn_at__isnull=True)
        .order_by("-given_at", "-pk")
        .first()
    )


def viewer_instances(principal: Any, party: Party) -> set[UUID] | None:
    """The party's cases the principal may see its record for: None for all (scope ALL), else its departments'."""
    granted = policy.scope(principal, "view_party")
    if granted is policy.Scope.ALL:
        return None
    if granted is None:
        return set()
    cases = PartyCase.objects.filter(party=party).values("instance_id")
    tasks = UserTask.objects.filter(instance_id__in=cases).filter(policy.task_visibility(principal))
    return set(tasks.values_list("instance_id", flat=True).distinct())


def _actor(principal: Any) -> str:
    if isinstance(principal, policy.Visitor):
        return f"citizen:{principal.account_id}"
    token = getattr(principal, "token", None)  # an API token (civicflow.api.auth.TokenPrincipal)
    if token is not None and hasattr(token, "prefix"):
        return f"token:{token.prefix}"
    return f"user:{getattr(principal, 'pk', None)}"


def open_party_record(principal: Any, party: Party, *, channel: str) -> PartyRecord:
    """The party's record as ``principal`` may see it, with a ``PartyViewed`` audit entry.

    Staff and API tokens need "view_party" (a caseworker only for a party with a case of their
    department, and see only those cases); a portal citizen (:class:`~civicflow.security.policy.Visitor`)
    needs "my_record" and sees only their own party, all of it. ``channel`` says where it was shown
    ("workbench", "api", "portal", ...). Raises PermissionDenied otherwise.
    """
    if isinstance(principal, policy.Visitor):
        if not policy.can(principal, "my_record") or principal.account_id != party.account_id:
            raise PermissionDenied("this is not your record")
        visible = None
    else:
        if not policy.can(principal, "view_party", party):
            raise PermissionDenied("you may not see this party's record")
        visible = viewer_instances(principal, party)
    record = party_record(party, visible_instances=visible)
    audit.record(
        actor=_actor(principal),
        action="PartyViewed",
        obj=("party", str(party.id)),
        details={"channel": channel, "cases": len(record.cases)},
    )
    return record
