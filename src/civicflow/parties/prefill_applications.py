"""The ``applications`` prefill source: the same person's earlier applications, newest first.

Each service names its answers differently (``applicantName`` in a building permit,
``claimantName`` in a tax refund claim), so the options map, per service, an attribute to the
process variable that holds it. The newest application that has a value gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.utils.translation import gettext

from civicflow.parties.models import PartyCase, PartyRole
from civicflow.parties.prefill import BasePrefillPlugin, PrefillContext, PrefillValue, register
from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError

__all__ = ["SERVICE_FIELDS", "ApplicationsOptions", "ApplicationsPrefill"]

SERVICE_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "building_permit": {"name": "applicantName", "email": "applicantEmail", "address": "address"},
        "tax_refund": {"name": "claimantName", "email": "claimantEmail", "address": "homeAddress"},
        "record_transfer": {"name": "patientName", "email": "patientEmail"},
    }
)
"""The reference services' answers by attribute (service id -> attribute -> process variable)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationsOptions:
    """``fields``: service id -> attribute -> process variable; ``max_cases``: how many applications to read at most."""

    fields: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: SERVICE_FIELDS)
    max_cases: int = 20


@register("applications")
class ApplicationsPrefill(BasePrefillPlugin[ApplicationsOptions]):
    """The latest value of an attribute among the party's applications (cases where it is the applicant)."""

    attributes = frozenset({"name", "email", "phone", "address"})

    @classmethod
    def default_options(cls) -> ApplicationsOptions:
        return ApplicationsOptions()

    def purpose(self) -> str:
        return gettext("Your earlier applications, so that you do not have to give the same answers twice.")

    def describe(self, reference: str) -> str:
        return gettext("your application %(reference)s") % {"reference": reference}

    def source_detail(self, reference: str) -> str:
        return f"application {reference}"

    def fetch(self, context: PrefillContext, attributes: frozenset[str]) -> Mapping[str, PrefillValue]:
        found: dict[str, PrefillValue] = {}
        cases = PartyCase.objects.filter(party=context.party, role=PartyRole.APPLICANT).order_by("-created", "-id")
        for case in cases[: self.options.max_cases]:
            keys = self.options.fields.get(case.service, {})
            wanted = {attribute: keys[attribute] for attribute in attributes - found.keys() if attribute in keys}
            if not wanted:
                continue
            try:
                variables = services.variables(case.instance_id)
            except RuntimeServiceError:  # an instance removed by history cleanup: nothing to read
                continue
            for attribute, key in wanted.items():
                value = variables.get(key)
                if isinstance(value, str) and value.strip():  # an erased value is not a str
                    reference = case.reference or str(case.instance_id)
                    found[attribute] = PrefillValue(
                        attribute=attribute, value=value.strip(), source=self.name, reference=reference
                    )
            if found.keys() >= attributes:
                break
        return found
