"""The ``party`` prefill source: the contact details in the citizen's own party record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from civicflow.parties.prefill import BasePrefillPlugin, PrefillContext, PrefillValue, register

__all__ = ["PartyOptions", "PartyPrefill"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyOptions:
    """Nothing to configure: the party record is the agency's own."""


@register("party")
class PartyPrefill(BasePrefillPlugin[PartyOptions]):
    """Name, email, phone and address as the party record holds them (None once erased)."""

    attributes = frozenset({"name", "email", "phone", "address"})

    @classmethod
    def default_options(cls) -> PartyOptions:
        return PartyOptions()

    def purpose(self) -> str:
        return gettext("Your details in your account, so that you do not have to type your contact details again.")

    def describe(self, reference: str) -> str:
        return gettext("your details in your account")

    def source_detail(self, reference: str) -> str:
        return "party record"

    def fetch(self, context: PrefillContext, attributes: frozenset[str]) -> Mapping[str, PrefillValue]:
        party = context.party
        known = {"name": party.name, "email": party.email, "phone": party.phone, "address": party.address}
        return {
            attribute: PrefillValue(attribute=attribute, value=value, source=self.name)
            for attribute, value in known.items()
            if attribute in attributes and value
        }
