"""Shapes shared by several resources."""

from __future__ import annotations

from rest_framework import serializers

__all__ = ["ProblemSerializer", "VariablesField"]


class VariablesField(serializers.DictField):
    """Process variables: a JSON object of names to JSON values."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("child", serializers.JSONField())
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", dict)
        super().__init__(**kwargs)  # type: ignore[arg-type]


class ProblemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """RFC 9457 problem details (``application/problem+json``)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
