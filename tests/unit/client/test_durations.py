"""The client writes message time-to-live values as ISO 8601 durations the server accepts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicflow.bpmn.timers import parse_duration
from civicflow.client._client import _iso_duration


@pytest.mark.parametrize(
    ("ttl", "text"),
    [
        (timedelta(seconds=90), "PT90S"),
        (timedelta(seconds=1.5), "PT1.5S"),
        (timedelta(days=12), "PT1036800S"),
        (timedelta(0), "PT0S"),
    ],
)
def test_ttl_is_a_plain_iso_duration(ttl: timedelta, text: str) -> None:
    assert _iso_duration(ttl) == text
    assert parse_duration(text).exact == ttl
