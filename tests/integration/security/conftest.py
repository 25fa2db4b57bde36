"""Fixtures of the security tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.authorization_world import World, world_in_a_transaction


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The authorization matrix's world (support.authorization_world), built once per module."""
    with world_in_a_transaction(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built
