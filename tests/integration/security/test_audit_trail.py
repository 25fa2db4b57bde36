"""The audit trail on a real database: copied from real history, then tampered with in raw SQL."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import connection
from typer.testing import CliRunner

from civicflow.cli._audit_step import AuditFollower
from civicflow.cli.app import app
from civicflow.runtime.demo import load
from civicflow.runtime.models import HistoryEvent
from civicflow.security._chain import AuditFormatError, entry_hash
from civicflow.security.audit import checkpoint, record, verify
from civicflow.security.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_ALLOWED_DETAILS = {
    "history_id", "key", "scope", "owner", "job", "origin", "flow", "target", "process", "type", "role",
    "element", "kind", "variable_names",
    "decision", "explanation",  # DecisionEvaluated: <id>:<version> and explanation_references (no values)
}  # fmt: skip


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.pem"
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    monkeypatch.setenv("CIVICFLOW_AUDIT_SIGNING_KEY", str(path))
    return path


def _follow_all() -> int:
    follower, total = AuditFollower(gap_grace=0.0), 0
    while read := follower.advance():
        total += read
    return total


@pytest.fixture
def trail() -> int:
    """A few demo cases' history in the chain, a checkpoint in the middle and one at the end."""
    load(3, rng=random.Random(5), start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    follower = AuditFollower(batch_size=20, gap_grace=0.0)
    follower.advance()
    assert checkpoint() is not None  # at #20
    _follow_all()
    assert checkpoint() is not None
    return AuditEntry.objects.count()


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _verify_cli() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify"])
    return result.exit_code, result.output.strip()


def test_history_is_copied_with_references_only_and_verifies(trail: int) -> None:
    assert trail == HistoryEvent.objects.count() > 40
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, trail + 1))
    for details in AuditEntry.objects.values_list("details", flat=True):
        assert set(details) <= _ALLOWED_DETAILS
    variables = AuditEntry.objects.filter(action="VariablesSet").values_list("details", flat=True)
    assert variables
    assert all(isinstance(d["variable_names"], list) for d in variables)
    for details in AuditEntry.objects.exclude(action="DecisionEvaluated").values_list("details", flat=True):
        assert not {"decision", "explanation"} & set(details)
    assert _follow_all() == 0  # nothing copied twice
    code, output = _verify_cli()
    head = AuditEntry.objects.get(seq=trail).hash
    assert (code, output) == (0, f"audit trail intact: {trail} entries, 2 checkpoints, head {head}")
    result = CliRunner().invoke(app, ["audit", "verify", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["intact"] is True


def test_an_edited_entry_is_named(trail: int) -> None:
    _sql("UPDATE security_auditentry SET details = '{\"history_id\": 1}' WHERE seq = 7")
    assert _verify_cli() == (1, "civicflow: error: audit entry #7 was changed (hash mismatch)")
    result = CliRunner().invoke(app, ["audit", "verify", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["first_bad_entry"] == 7


def test_a_deleted_entry_is_named(trail: int) -> None:
    _sql("DELETE FROM security_auditentry WHERE seq = 12")
    assert _verify_cli() == (1, "civicflow: error: audit entry #12 is missing")


def test_a_cut_off_tail_is_named(trail: int) -> None:
    _sql("DELETE FROM security_auditentry WHERE seq > 30")
    assert _verify_cli() == (1, "civicflow: error: audit entry #31 is missing")


def test_a_cut_off_tail_with_the_head_moved_back_is_caught_by_the_checkpoint(trail: int) -> None:
    _sql("DELETE FROM security_auditentry WHERE seq > 30")
    _sql("UPDATE security_audithead SET seq = 30, hash = (SELECT hash FROM security_auditentry WHERE seq = 30)")
    assert _verify_cli() == (1, "civicflow: error: audit entry #31 is missing")


def test_a_forged_entry_is_named(trail: int) -> None:
    _sql(
        "INSERT INTO security_auditentry (seq, at, actor, action, object_type, object_ref, details, prev_hash, hash)"
        " VALUES (%s, %s, 'user:1', 'CaseViewed', 'case', 'x', '{}', %s, %s)",
        [trail + 1, datetime(2025, 2, 1, tzinfo=UTC), "a" * 64, "b" * 64],
    )
    assert _verify_cli() == (
        1,
        f"civicflow: error: audit entry #{trail + 1} was inserted or moved (it does not link to the entry before it)",
    )


def test_a_forged_entry_with_a_correct_link_is_caught_at_the_next_entry(trail: int) -> None:
    # make room at #5 (two steps: the seq column is unique), then forge a well-linked, well-hashed #5
    _sql("UPDATE security_auditentry SET seq = seq + 1000000 WHERE seq >= 5")
    _sql("UPDATE security_auditentry SET seq = seq - 999999 WHERE seq >= 1000000")
    prev = AuditEntry.objects.get(seq=4).hash
    at = datetime(2025, 2, 1, tzinfo=UTC)
    fields = {
        "seq": 5, "at": at.isoformat(timespec="microseconds"), "actor": "user:1", "action": "CaseViewed",
        "object_type": "case", "object_ref": "x", "details": {},
    }  # fmt: skip
    _sql(
        "INSERT INTO security_auditentry (seq, at, actor, action, object_type, object_ref, details, prev_hash, hash)"
        " VALUES (5, %s, 'user:1', 'CaseViewed', 'case', 'x', '{}', %s, %s)",
        [at, prev, entry_hash(prev, fields)],
    )
    assert _verify_cli()[1].startswith("civicflow: error: audit entry #6 was inserted or moved")


def test_reordered_entries_are_named(trail: int) -> None:
    _sql("UPDATE security_auditentry SET seq = -9 WHERE seq = 9")
    _sql("UPDATE security_auditentry SET seq = 9 WHERE seq = 10")
    _sql("UPDATE security_auditentry SET seq = 10 WHERE seq = -9")
    assert _verify_cli()[1].startswith("civicflow: error: audit entry #9 was inserted or moved")


def test_an_edited_checkpoint_is_named(trail: int) -> None:
    _sql("UPDATE security_auditcheckpoint SET head = %s WHERE seq = 20", ["c" * 64])
    assert _verify_cli() == (1, "civicflow: error: audit checkpoint at #20 does not verify (bad signature)")


def test_a_rewritten_chain_is_caught_by_its_checkpoint(trail: int) -> None:
    """An attacker who rehashes every entry from #3 on keeps the chain whole; the signed head does not match."""
    rows = list(AuditEntry.objects.order_by("seq"))
    prev = rows[1].hash
    for row in rows[2:]:
        if row.seq == 3:
            row.object_ref = "rewritten"
        fields = {
            "seq": row.seq, "at": row.at.astimezone(UTC).isoformat(timespec="microseconds"), "actor": row.actor,
            "action": row.action, "object_type": row.object_type, "object_ref": row.object_ref,
            "details": row.details,
        }  # fmt: skip
        row.prev_hash, row.hash = prev, entry_hash(prev, fields)
        prev = row.hash
        _sql(
            "UPDATE security_auditentry SET object_ref = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [row.object_ref, row.prev_hash, row.hash, row.seq],
        )
    _sql("UPDATE security_audithead SET hash = %s", [prev])
    assert verify().problem is not None
    assert _verify_cli() == (
        1,
        "civicflow: error: audit checkpoint at #20 does not verify (head differs from the chain)",
    )


def test_a_checkpoint_from_another_key_is_refused(trail: int, signing_key: Path) -> None:
    signing_key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    assert _verify_cli() == (1, "civicflow: error: audit checkpoint at #20 does not verify (bad signature)")


def test_record_appends_staff_actions_and_refuses_values_that_are_not_references() -> None:
    first = record(actor="user:3", action="TaskClaimed", obj=("task", "42"), details={"instance": "abc"})
    second = record(actor="user:3", action="CaseViewed", obj=("case", "abc"))
    assert second == first + 1
    with pytest.raises(AuditFormatError):
        record(actor="user:3", action="x", obj=("case", "abc"), details={"amount": 12.5})
    assert AuditEntry.objects.count() == 2
    assert verify().problem is None


def test_cli_public_key_and_checkpoint() -> None:
    runner = CliRunner()
    key = runner.invoke(app, ["audit", "public-key"])
    assert key.exit_code == 0
    assert key.output.startswith("-----BEGIN PUBLIC KEY-----")
    assert runner.invoke(app, ["audit", "checkpoint"]).output.startswith("nothing to sign")
    record(actor="user:1", action="CaseViewed", obj=("case", "c1"))
    signed = runner.invoke(app, ["audit", "checkpoint"])
    assert signed.exit_code == 0
    assert signed.output.startswith("signed checkpoint at #1, head ")


def test_an_unreadable_signing_key_is_a_one_line_error(signing_key: Path) -> None:
    signing_key.write_text("not a key")
    result = CliRunner().invoke(app, ["audit", "public-key"])
    assert result.exit_code == 1
    assert result.output.startswith("civicflow: error: CIVICFLOW_AUDIT_SIGNING_KEY: cannot read an Ed25519 private key")
    assert "\n" not in result.output.strip()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs several connections at once (runs in the PostgreSQL pass)")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def append_some(n: int) -> None:
        try:
            barrier.wait()
            for i in range(25):
                record(actor=f"user:{n}", action="CaseViewed", obj=("case", f"{n}-{i}"))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_some, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 101))
    report = verify()
    assert report.problem is None
    assert report.entries == 100


def test_the_worker_steps_follow_history_and_sign_a_checkpoint() -> None:
    from civicflow.cli._audit_step import audit_steps
    from civicflow.security.models import AuditCheckpoint

    load(2, rng=random.Random(9), start=datetime(2025, 1, 6, tzinfo=UTC), months=1)
    follow, sign_by_time, _sign_by_count = audit_steps(seconds=300.0, entries=10_000)
    assert follow() == HistoryEvent.objects.count()
    sign_by_time()
    point = AuditCheckpoint.objects.get()
    assert point.seq == AuditEntry.objects.count()
    assert verify().problem is None
