"""The migrations that seal stored email addresses: existing rows sealed under their subjects, then reversed.

Runs on SQLite and, with ``-m postgres`` and ``CIVICFLOW_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicflow.security import keys
from civicflow.security.addresses import index, open_address

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BEFORE = [("portal", "0004_oidc_identity"), ("civicflow_web", "0003_rate_count")]
AFTER = [("portal", "0006_drop_clear_addresses"), ("civicflow_web", "0005_drop_clear_mail_address")]
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
GUEST = "Quentin.Zarbuckle@Example.org"


@pytest.fixture(autouse=True)
def configured_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICFLOW_KEK", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("CIVICFLOW_SUBJECT_KEY", base64.b64encode(os.urandom(32)).decode())


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps() -> Iterator[object]:
    yield _migrate(BEFORE)
    call_command("migrate", verbosity=0)  # leave the schema as every other test expects it


def test_existing_addresses_are_sealed_under_their_subjects_and_come_back_on_reverse(old_apps: object) -> None:
    get = old_apps.get_model  # type: ignore[attr-defined]
    account = get("portal", "CitizenAccount").objects.create(email="cees@example.org", created=NOW)
    eid = get("portal", "CitizenAccount").objects.create(email=None, created=NOW)
    application = get("portal", "Application").objects.create(
        reference="BP-2026-000001", service="building_permit", instance_id="00000000-0000-0000-0000-000000000001",
        secret_hash="0" * 64, created=NOW, email=GUEST,
    )  # fmt: skip
    draft = get("portal", "Draft").objects.create(
        service="record_transfer", email=GUEST, token_hash="1" * 64, created=NOW, expires=NOW
    )
    token = get("portal", "SignInToken").objects.create(
        email="cees@example.org", token_hash="2" * 64, client="c", created=NOW, expires=NOW
    )
    mails = get("civicflow_web", "QueuedMail").objects
    mails.create(key="pending", to=GUEST, subject="s", body="b", created=NOW)
    mails.create(key="sent", to=GUEST, subject="s", body="b", created=NOW, status="sent")

    new = _migrate(AFTER).get_model  # type: ignore[attr-defined]
    row = new("portal", "CitizenAccount").objects.get(pk=account.pk)
    assert row.email_index == index("CEES@example.org")
    assert keys.open(f"citizen:{account.pk}", "email", row.email_sealed).decode() == "cees@example.org"
    assert new("portal", "CitizenAccount").objects.get(pk=eid.pk).email_index is None
    row = new("portal", "Application").objects.get(pk=application.pk)
    assert (row.email_index, keys.open("guest:BP-2026-000001", "email", row.email_sealed).decode()) == (
        index(GUEST),
        GUEST,
    )
    row = new("portal", "Draft").objects.get(pk=draft.pk)
    assert keys.open(f"draft:{draft.pk}", "email", row.email_sealed).decode() == GUEST
    row = new("portal", "SignInToken").objects.get(pk=token.pk)
    assert keys.open(f"sign-in:{'2' * 64}", "email", row.email_sealed).decode() == "cees@example.org"
    pending, sent = new("civicflow_web", "QueuedMail").objects.order_by("key")
    assert (pending.own_key, pending.to_index, open_address(pending.to_sealed)) == (True, index(GUEST), GUEST)
    assert (sent.to_index, sent.to_sealed) == (index(GUEST), "")  # sent: only the index is kept
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "portal_application")}
    assert "email" not in columns

    keys.shred(f"draft:{draft.pk}")
    back = _migrate(BEFORE).get_model  # type: ignore[attr-defined]
    assert back("portal", "CitizenAccount").objects.get(pk=account.pk).email == "cees@example.org"
    assert back("portal", "CitizenAccount").objects.get(pk=eid.pk).email is None
    assert back("portal", "Application").objects.get(pk=application.pk).email == GUEST
    assert back("portal", "Draft").objects.get(pk=draft.pk).email == ""  # its key was shredded: gone
    assert back("civicflow_web", "QueuedMail").objects.get(key="pending").to == GUEST
