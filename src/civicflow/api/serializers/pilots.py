"""Pilots (issue #14): a candidate process version on a share of new instances, and the comparison
of both versions' KPIs with the significance of each difference (docs/pilots.md)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

__all__ = [
    "AdoptResultSerializer",
    "AdoptSerializer",
    "PilotSerializer",
    "PilotStartSerializer",
    "PilotStatusSerializer",
]


class PilotSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(source="pk")
    processId = serializers.CharField(source="process_id")  # noqa: N815 - JSON names are camelCase
    currentVersion = serializers.IntegerField(source="current.version")  # noqa: N815
    candidateVersion = serializers.IntegerField(source="candidate.version")  # noqa: N815
    share = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="of new instances, 0 < share <= 1")
    rule = serializers.CharField(help_text="FEEL over the start variables; empty: every new instance")
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=("running", "adopted", "stopped"))
    started = serializers.DateTimeField()
    startedBy = serializers.CharField(source="started_by")  # noqa: N815
    ended = serializers.DateTimeField(allow_null=True)
    endedBy = serializers.CharField(source="ended_by")  # noqa: N815


class PilotStartSerializer(serializers.Serializer):  # type: ignore[type-arg]
    processId = serializers.CharField(max_length=255)  # noqa: N815
    candidateVersion = serializers.IntegerField(min_value=1)  # noqa: N815
    currentVersion = serializers.IntegerField(  # noqa: N815
        min_value=1, required=False, allow_null=True, help_text="default: the latest version below the candidate"
    )
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=Decimal(1),
        help_text="the candidate's share of new instances, e.g. 0.3 for 30%",
    )
    rule = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "boolean"},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ],
        "description": "true (or an element mapping, old id -> new id): move the running instances of the "
        "current version to the candidate too",
    }
)
class MigrateField(serializers.Field):  # type: ignore[type-arg]
    """``false``: no migration; ``true``: migrate with the identity mapping; an object: that mapping."""

    def to_internal_value(self, data: Any) -> Mapping[str, str] | None:
        if isinstance(data, bool):
            return {} if data else None
        if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            if len(data) > 10_000:
                raise serializers.ValidationError("at most 10000 mapped elements")
            return dict(data)
        raise serializers.ValidationError("give true, false or an object of element ids to element ids")

    def to_representation(self, value: Any) -> Any:
        return value


class AdoptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    migrate = MigrateField(required=False, default=None)


class AdoptResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    pilot = PilotSerializer()
    migrated = serializers.ListField(child=serializers.UUIDField(), help_text="instances moved to the candidate")


class SummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    current = serializers.IntegerField(help_text="new instances given the current version")
    candidate = serializers.IntegerField(help_text="new instances given the candidate")
    runningCurrent = serializers.IntegerField(source="running_current")  # noqa: N815
    runningCandidate = serializers.IntegerField(source="running_candidate")  # noqa: N815
    candidateShare = serializers.FloatField(source="candidate_share", allow_null=True)  # noqa: N815


class IntervalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    estimate = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="95% interval")
    high = serializers.FloatField(allow_null=True, help_text="95% interval")


class SignificanceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(source="test", help_text="e.g. Mann-Whitney U (two-sided)")
    statistic = serializers.FloatField(allow_null=True)
    pValue = serializers.FloatField(source="p_value", allow_null=True)  # noqa: N815
    significant = serializers.BooleanField(help_text="p < 0.05")
    note = serializers.CharField(help_text="why there is no p-value yet, if there is none")


class MeasureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    measure = serializers.ChoiceField(choices=("processing", "sla", "rework", "incidents", "satisfaction", "cost"))
    unit = serializers.SerializerMethodField()
    lowerIsBetter = serializers.BooleanField(source="lower_is_better")  # noqa: N815
    current = IntervalSerializer()
    candidate = IntervalSerializer()
    counts = serializers.SerializerMethodField()
    test = SignificanceSerializer()
    candidateBetter = serializers.BooleanField(source="candidate_better", allow_null=True)  # noqa: N815

    def get_unit(self, found: Any) -> str:
        # processing: working seconds (median); cost: minor currency units (median); else a rate
        return {"processing": "seconds", "cost": "minor-units"}.get(str(found.measure), "rate")

    @extend_schema_field(
        {"type": "object", "properties": {"current": {"type": "integer"}, "candidate": {"type": "integer"}}}
    )
    def get_counts(self, found: Any) -> dict[str, int]:
        return {"current": found.counts[0], "candidate": found.counts[1]}


class PilotStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    pilot = PilotSerializer()
    summary = SummarySerializer()
    measures = MeasureSerializer(many=True, allow_null=True, help_text="null: the process is not a catalogue service")
