"""Parties: one record per citizen and business across services (issue #13, docs/security.md "Parties").

    >>> from civicflow import parties
    >>> party = parties.party_for_identity(scheme="national-id", identifier="123456782", account_id=7, now=now)
    >>> parties.record_case(party, instance_id=instance.pk, service="building_permit", reference="BP-...", now=now)
    >>> record = parties.open_party_record(request.user, party, channel="workbench")  # policy + audit

The models are in :mod:`civicflow.parties.models` (import them once apps are loaded); every
personal value is sealed under ``party:<id>``. The names below are loaded on first use, because
Django imports this package before its models may be.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civicflow.parties._records import PartyRecord, party_record
    from civicflow.parties._service import (
        active_consent,
        give_consent,
        open_party_record,
        party_for_account,
        party_for_identity,
        record_case,
        record_case_message,
        record_message,
        viewer_instances,
        withdraw_consent,
    )

__all__ = [
    "PartyRecord",
    "active_consent",
    "give_consent",
    "open_party_record",
    "party_for_account",
    "party_for_identity",
    "party_record",
    "record_case",
    "record_case_message",
    "record_message",
    "viewer_instances",
    "withdraw_consent",
]

_HOMES = {"PartyRecord": "_records", "party_record": "_records"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'civicflow.parties' has no attribute {name!r}")
    module = importlib.import_module(f"civicflow.parties.{_HOMES.get(name, '_service')}")
    return getattr(module, name)
