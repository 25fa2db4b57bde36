"""Parties (issue #13): a lookup hit, and a party's record (civicflow.parties.PartyRecord) as the
caller may see it (``limited``: narrowed to the caller's department's cases)."""

from __future__ import annotations

from rest_framework import serializers

__all__ = ["PartyRecordSerializer", "PartySummarySerializer"]

_NULL = {"allow_null": True}


class PartySummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A party found by its identifier: what it is, never its personal values (read the record for those)."""

    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="citizen or business")
    identifierScheme = serializers.CharField(source="identifier_scheme")  # noqa: N815 - JSON names are camelCase
    created = serializers.DateTimeField()


class _Case(serializers.Serializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(source="instance_id")  # noqa: N815
    service = serializers.CharField()
    title = serializers.CharField(source="title_en")
    titleNl = serializers.CharField(source="title_nl")  # noqa: N815
    reference = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField(help_text="active, completed, terminated; unknown once the instance is gone")
    started = serializers.DateTimeField(**_NULL)
    ended = serializers.DateTimeField(**_NULL)
    linked = serializers.DateTimeField()


class _Message(serializers.Serializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(source="instance_id", **_NULL)  # noqa: N815
    direction = serializers.ChoiceField(choices=("sent", "received"))
    channel = serializers.CharField()
    subject = serializers.CharField(**_NULL)
    at = serializers.DateTimeField()


class _Uploaded(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    instanceId = serializers.UUIDField(source="instance_id")  # noqa: N815
    reference = serializers.CharField()
    field = serializers.CharField()
    name = serializers.CharField()
    contentType = serializers.CharField(source="content_type")  # noqa: N815
    size = serializers.IntegerField()
    created = serializers.DateTimeField()


class _Issued(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    instanceId = serializers.UUIDField(source="instance_id")  # noqa: N815
    reference = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    mediaType = serializers.CharField(source="media_type")  # noqa: N815
    issued = serializers.DateTimeField()


class _Consent(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    purpose = serializers.CharField()
    service = serializers.CharField()
    provider = serializers.CharField()
    instanceId = serializers.UUIDField(source="instance_id", **_NULL)  # noqa: N815
    textVersion = serializers.CharField(source="text_version")  # noqa: N815
    givenAt = serializers.DateTimeField(source="given_at")  # noqa: N815
    withdrawnAt = serializers.DateTimeField(source="withdrawn_at", **_NULL)  # noqa: N815
    active = serializers.BooleanField(source="is_active")


class _Evidence(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    consentId = serializers.UUIDField(source="consent_id", **_NULL)  # noqa: N815
    instanceId = serializers.UUIDField(source="instance_id", **_NULL)  # noqa: N815
    evidenceType = serializers.CharField(source="evidence_type")  # noqa: N815
    requester = serializers.CharField()
    provider = serializers.CharField()
    state = serializers.ChoiceField(choices=("requested", "provided", "refused", "failed"))
    requestedAt = serializers.DateTimeField(source="requested_at")  # noqa: N815
    answeredAt = serializers.DateTimeField(source="answered_at", **_NULL)  # noqa: N815
    answer = serializers.JSONField(help_text="the evidence provided; null without one or once erased", **_NULL)
    reason = serializers.CharField()


class _Prefill(serializers.Serializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(source="instance_id", **_NULL)  # noqa: N815
    draftId = serializers.UUIDField(source="draft_id", **_NULL)  # noqa: N815
    service = serializers.CharField()
    field = serializers.CharField()
    source = serializers.CharField()
    sourceDetail = serializers.CharField(source="source_detail")  # noqa: N815
    changed = serializers.BooleanField(help_text="the citizen corrected the prefilled value")
    at = serializers.DateTimeField()


class PartyRecordSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A party's record; personal values are null once the party was erased (``gdpr erase``)."""

    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="citizen or business")
    identifierScheme = serializers.CharField(source="identifier_scheme")  # noqa: N815
    identifier = serializers.CharField(**_NULL)
    name = serializers.CharField(**_NULL)
    email = serializers.CharField(**_NULL)
    phone = serializers.CharField(**_NULL)
    address = serializers.CharField(**_NULL)
    language = serializers.CharField()
    channel = serializers.ChoiceField(choices=("email", "post", "portal"))
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    limited = serializers.BooleanField(help_text="true: only what is tied to cases of the caller's department")
    cases = _Case(many=True)
    messages = _Message(many=True)
    uploaded = _Uploaded(many=True, help_text="documents the party sent with an application")
    issued = _Issued(many=True, help_text="documents the agency issued for the party's cases")
    consents = _Consent(many=True)
    evidence = _Evidence(many=True)
    prefills = _Prefill(many=True)
