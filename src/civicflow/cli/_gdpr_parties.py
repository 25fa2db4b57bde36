"""A data subject's parties (civicflow.parties) in ``civicflow gdpr``: found, exported with their views, erased.

A subject is named by an email address, a portal account id, ``party:<id>``,
``national-id:<number>`` or ``company-number:<number>``. Their parties are the ones of their
account, the ones identified by or reachable at their address (by blind index), and the one
named. Erasure shreds each ``party:<id>`` key and cuts the rows' links to the person: the blind
indexes and the account go, so a person who comes back gets a new, empty record. What stays is
not personal: which services, roles, dates, consent purposes and evidence states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from civicflow.parties.models import Party

__all__ = ["SCHEMES", "erase_parties", "export_parties", "named_party", "open_cases", "subject_parties"]

SCHEMES = ("party:", "national-id:", "company-number:")
_ERASED = "erased:"


def named_party(text: str) -> Party | None:
    """The party a SUBJECT argument names (``party:<id>``, ``national-id:<n>``, ``company-number:<n>``), if any.

    ValueError for a malformed ``party:`` id.
    """
    from civicflow.parties.models import Party, identifier_index

    scheme, _, value = text.partition(":")
    if scheme == "party":
        return Party.objects.filter(pk=UUID(value.strip())).first()
    if not value.strip():
        return None
    return Party.objects.filter(identifier_scheme=scheme, identifier_index=identifier_index(scheme, value)).first()


def subject_parties(*, account_id: int | None, email: str, named: Party | None) -> tuple[str, ...]:
    """The ids of the subject's parties: the named one, the account's, and those of their address."""
    from django.db.models import Q

    from civicflow.parties.models import Party, Scheme
    from civicflow.security.addresses import index

    where = Q(pk=named.pk) if named is not None else Q(pk__in=[])
    if account_id is not None:
        where |= Q(account_id=account_id)
    if email:
        found = index(email)
        where |= Q(email_index=found) | Q(identifier_scheme=Scheme.EMAIL, identifier_index=found)
    return tuple(str(pk) for pk in Party.objects.filter(where).order_by("created").values_list("pk", flat=True))


def _views(party_id: str) -> list[dict[str, Any]]:
    from civicflow.security.models import AuditEntry

    # an opened record (PartyViewed) and a hit of the API's lookup by identifier (PartyLookedUp)
    rows = AuditEntry.objects.filter(
        action__in=("PartyViewed", "PartyLookedUp"), object_type="party", object_ref=party_id
    ).order_by("seq")
    return [
        {
            "seq": row.seq,
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            **{str(k): v for k, v in row.details.items()},
        }
        for row in rows
    ]


def export_parties(party_ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each party's whole record (as its JSON) with ``views``: every PartyViewed and PartyLookedUp entry of it."""
    from civicflow.parties import party_record
    from civicflow.parties.models import Party

    found = Party.objects.filter(pk__in=party_ids).order_by("created")
    return [
        {**party_record(party, visible_instances=None).as_json(), "views": _views(str(party.pk))} for party in found
    ]


def open_cases(party_ids: tuple[str, ...], known: set[UUID]) -> list[str]:
    """The parties' cases still running that no application of the subject stands for (``known``): their
    references, or instance ids for a case started elsewhere (the API, another agency's message)."""
    from civicflow.parties.models import PartyCase
    from civicflow.runtime.models import InstanceStatus, ProcessInstance

    cases = PartyCase.objects.filter(party_id__in=party_ids).exclude(instance_id__in=known)
    running = set(
        ProcessInstance.objects.filter(pk__in=cases.values("instance_id"), status=InstanceStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    found = {case.instance_id: case.reference or str(case.instance_id) for case in cases if case.instance_id in running}
    return sorted(found.values())


def erase_parties(party_ids: tuple[str, ...]) -> int:
    """Cut the (already shredded) parties' links to the person; how many parties were changed."""
    from civicflow.parties.models import Party

    live = Party.objects.filter(pk__in=party_ids).exclude(identifier_index__startswith=_ERASED)
    for party in live:
        # (scheme, index) stays unique with the party's own id in place of the person's index
        party.identifier_index, party.email_index, party.account_id = f"{_ERASED}{party.pk.hex}", "", None
        party.save(update_fields=["identifier_index", "email_index", "account_id"])
    return len(live)
