"""REST API tests: a DRF test client, tokens with chosen scopes, the test models deployed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

MODELS = Path(__file__).parent / "models"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    from django.core.cache import cache

    from civicflow.runtime.definitions import clear_caches

    clear_caches()
    cache.clear()  # throttle counters
    yield
    clear_caches()


@pytest.fixture
def models() -> Path:
    return MODELS


@pytest.fixture
def token() -> Callable[..., str]:
    from civicflow.api.tokens import create_token

    def make(*scopes: str, name: str = "test") -> str:
        return create_token(name, scopes or ("admin",)).plaintext

    return make


@pytest.fixture
def client_for(token: Callable[..., str]) -> Callable[..., APIClient]:
    def make(*scopes: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token(*scopes)}")
        return client

    return make


@pytest.fixture
def admin(client_for: Callable[..., APIClient]) -> APIClient:
    return client_for("admin")


@pytest.fixture
def deployed(admin: APIClient, models: Path) -> dict[str, object]:
    files = [(models / name).open("rb") for name in ("permit.bpmn", "registry.bpmn", "wait.bpmn", "fees.dmn")]
    try:
        response = admin.post("/api/v1/deployments", {"name": "tests", "files": files}, format="multipart")
    finally:
        for f in files:
            f.close()
    assert response.status_code == 201, response.content
    body: dict[str, object] = response.json()
    return body
