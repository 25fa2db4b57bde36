"""Parties (issue #13): look a citizen or business up by identifier, and read their record.

``GET /parties?scheme=&identifier=`` compares the identifier's keyed blind index: it never lists
everyone, and a caller sees only the parties the policy lets them open ("view_party": read and
admin tokens all, staff their department's). A hit is audited (``PartyLookedUp``).
``GET /parties/{id}`` reads the record through :func:`civicflow.parties.open_party_record` with
channel "api": policy-checked (403 problem for a party of another department), narrowed to the
caller's cases, and audited (``PartyViewed``).
"""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow import parties
from civicflow.api import _audit
from civicflow.api.serializers.parties import PartyRecordSerializer, PartySummarySerializer
from civicflow.api.views._base import ApiView, need, query
from civicflow.parties.models import Party, Scheme, identifier_index, normalise_identifier
from civicflow.security import policy

__all__ = ["PartyDetail", "PartyList"]

_LIMIT = 20  # an identifier is unique per scheme; the limit only bounds a pathological table


class PartyQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    scheme = serializers.ChoiceField(choices=Scheme.values, help_text="what the identifier is")
    identifier = serializers.CharField(max_length=254, help_text="a national id, company number or email address")

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        if not normalise_identifier(attrs["scheme"], attrs["identifier"]):
            raise serializers.ValidationError({"identifier": ["This field may not be blank."]})
        return attrs


class PartyList(ApiView):
    policy_actions = need(GET="view_party")

    @extend_schema(
        parameters=[PartyQuerySerializer],
        responses=PartySummarySerializer(many=True),
        description="The parties with this identifier the caller may open (none or one); both parameters are required.",
    )
    def get(self, request: Request) -> Response:
        params = query(request, PartyQuerySerializer)
        index = identifier_index(params["scheme"], params["identifier"])
        rows = Party.objects.filter(identifier_scheme=params["scheme"], identifier_index=index)[:_LIMIT]
        found = [party for party in rows if policy.can(request.user, "view_party", party)]
        for party in found:
            details = {"channel": "api", "scheme": params["scheme"]}
            _audit.record(request, "PartyLookedUp", ("party", str(party.pk)), details)
        return Response(PartySummarySerializer(found, many=True).data)


class PartyDetail(ApiView):
    policy_actions = need(GET="view_party")

    @extend_schema(
        responses=PartyRecordSerializer,
        description="The party's record as the caller may see it (audited); 403 when the party has no case "
        "of the caller's department.",
    )
    def get(self, request: Request, pk: UUID) -> Response:
        party = Party.objects.filter(pk=pk).first()
        if party is None:
            raise exceptions.NotFound(f"no party {pk}")
        record = parties.open_party_record(request.user, party, channel="api")
        return Response(PartyRecordSerializer(record).data)
