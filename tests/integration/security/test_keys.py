"""Personal-data keys on a real database: seal/open, crypto-shredding, legal holds, KEK rotation, a dump."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from typer.testing import CliRunner

from civicflow.cli.app import app
from civicflow.errors import ConfigurationError
from civicflow.security import keys
from civicflow.security._keys_kek import kek_ring, subject_ref
from civicflow.security._sealing import Kek, TokenRejectedError
from civicflow.security.models import SubjectKey

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_BSN = "999990019"
_SECRET = "Jansen-Ålgård, Kerkstraat 12"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> bytes:
    kek = os.urandom(32)
    monkeypatch.setenv("CIVICFLOW_KEK", _b64(kek))
    monkeypatch.delenv("CIVICFLOW_KEK_PREVIOUS", raising=False)
    monkeypatch.setenv("CIVICFLOW_SUBJECT_KEY", _b64(os.urandom(32)))
    return kek


def test_seal_and_open_through_the_model() -> None:
    token = keys.seal(_BSN, "address", _SECRET)
    assert keys.open(_BSN, "address", token).decode() == _SECRET
    assert keys.seal(_BSN, "email", "a@b.nl") != keys.seal(_BSN, "email", "a@b.nl")  # fresh nonces
    row = SubjectKey.objects.get()  # one key per subject, made on first use
    assert row.subject_ref == subject_ref(_BSN) != _BSN
    assert len(row.subject_ref) == 64
    assert row.kek_id == kek_ring().current.kek_id
    with pytest.raises(TokenRejectedError):
        keys.open(_BSN, "email", token)  # another field
    keys.seal("other", "address", "x")
    with pytest.raises(keys.SealingError):
        keys.open("other", "address", token)  # another subject
    with pytest.raises(keys.SubjectKeyMissingError):
        keys.open("never-seen", "address", token)


def test_after_shredding_nothing_opens_and_nothing_new_is_sealed() -> None:
    token = keys.seal(_BSN, "address", _SECRET)
    other = keys.seal("999990020", "address", "kept")
    assert keys.shred(_BSN) is True
    with pytest.raises(keys.SubjectKeyShreddedError, match="cannot be decrypted"):
        keys.open(_BSN, "address", token)
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.seal(_BSN, "address", "new")
    row = SubjectKey.objects.get(subject_ref=subject_ref(_BSN))
    assert row.wrapped_dek == ""
    assert row.shredded_at is not None
    assert keys.shred(_BSN) is False  # already shredded
    assert keys.open("999990020", "address", other) == b"kept"  # others are untouched
    assert keys.shred("nobody-yet") is True  # erased before anything was sealed: stays erased
    with pytest.raises(keys.SubjectKeyShreddedError):
        keys.seal("nobody-yet", "address", "x")


def test_a_legal_hold_blocks_shredding() -> None:
    token = keys.seal(_BSN, "address", _SECRET)
    keys.set_legal_hold(_BSN, hold=True)
    with pytest.raises(keys.LegalHoldError, match="legal hold"):
        keys.shred(_BSN)
    assert keys.open(_BSN, "address", token).decode() == _SECRET
    keys.set_legal_hold(_BSN, hold=False)
    assert keys.shred(_BSN) is True


def test_rotation_rewraps_and_old_tokens_still_open(monkeypatch: pytest.MonkeyPatch, configured: bytes) -> None:
    old_id = Kek(configured).kek_id
    tokens = {f"subject-{i}": keys.seal(f"subject-{i}", "name", f"name {i}") for i in range(7)}
    keys.shred("subject-0")
    new = os.urandom(32)
    monkeypatch.setenv("CIVICFLOW_KEK", _b64(new))
    with pytest.raises(ConfigurationError, match=old_id):  # the old KEK is needed until the rotation ends
        keys.open("subject-1", "name", tokens["subject-1"])
    monkeypatch.setenv("CIVICFLOW_KEK_PREVIOUS", _b64(configured))
    runner = CliRunner()
    status = json.loads(runner.invoke(app, ["keys", "status", "--json"]).output)
    assert status == {"current_kek_id": Kek(new).kek_id, "per_kek": {old_id: 6}, "shredded": 1, "legal_hold": 0}
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert f"rewrapped 6 data key(s) under KEK {Kek(new).kek_id}" in result.output
    assert json.loads(runner.invoke(app, ["keys", "rotate", "--json"]).output)["rewrapped"] == 0  # idempotent
    with pytest.raises(keys.SealingError, match="not the current one"):
        keys.rewrap(old_id)
    assert keys.rewrap(Kek(new).kek_id) == 0
    monkeypatch.delenv("CIVICFLOW_KEK_PREVIOUS")  # the old KEK is retired
    for i in range(1, 7):
        assert keys.open(f"subject-{i}", "name", tokens[f"subject-{i}"]) == f"name {i}".encode()
    assert set(SubjectKey.objects.filter(shredded_at__isnull=True).values_list("kek_id", flat=True)) == {
        Kek(new).kek_id
    }
    text = runner.invoke(app, ["keys", "status"]).output
    assert f"{Kek(new).kek_id}: 6 data key(s)" in text
    assert "rotate pending" not in text


def test_rotate_with_a_missing_old_kek_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    keys.seal(_BSN, "address", _SECRET)
    monkeypatch.setenv("CIVICFLOW_KEK", _b64(os.urandom(32)))
    result = CliRunner().invoke(app, ["keys", "rotate"])
    assert result.exit_code == 1
    assert "CIVICFLOW_KEK_PREVIOUS" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv("CIVICFLOW_KEK", "not a key")
    result = CliRunner().invoke(app, ["keys", "status"])
    assert result.exit_code == 1
    assert "CIVICFLOW_KEK: neither base64 of 32 bytes nor a readable file" in result.output


def test_a_dump_of_the_tables_holds_no_clear_value() -> None:
    token = keys.seal(_BSN, "address", _SECRET)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE sealed_probe (id integer PRIMARY KEY, value text)")
        cursor.execute("INSERT INTO sealed_probe VALUES (1, %s)", [token])
        dump: list[str] = []
        for table in ("security_subjectkey", "sealed_probe"):
            cursor.execute(f"SELECT * FROM {table}")
            dump.extend(repr(row) for row in cursor.fetchall())
        cursor.execute("DROP TABLE sealed_probe")
    text = "\n".join(dump)
    assert token in text  # the dump does hold the sealed value
    for clear in (_SECRET, "Kerkstraat", _BSN):
        assert clear not in text
    assert _SECRET.encode().hex() not in text.replace("\\x", "")


def test_keys_are_generated_into_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("CIVICFLOW_KEK")
    monkeypatch.delenv("CIVICFLOW_SUBJECT_KEY")
    settings.INSTANCE_DIR = tmp_path
    token = keys.seal(_BSN, "address", _SECRET)
    kek_file = tmp_path / "personal_data_kek"
    assert stat.S_IMODE(kek_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "subject_ref_key").stat().st_mode) == 0o600
    assert kek_ring().current.kek_id == Kek(base64.b64decode(kek_file.read_text())).kek_id
    assert keys.open(_BSN, "address", token).decode() == _SECRET  # the same key is read back
    monkeypatch.setenv("CIVICFLOW_KEK", str(kek_file))  # a path works too
    assert keys.open(_BSN, "address", token).decode() == _SECRET
