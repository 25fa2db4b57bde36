"""The pure audit chain: canonical JSON, hashes, and each kind of tampering on hand-made chains."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicflow.security._chain import (
    GENESIS,
    AuditFormatError,
    Entry,
    Fault,
    Problem,
    canonical,
    entry_hash,
    sign_checkpoint,
    verify_chain,
    verify_checkpoints,
)


def _chain(n: int) -> list[Entry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "at": f"2026-01-01T00:00:{seq:02d}.000000+00:00",
            "actor": "user:7",
            "action": "TaskCompleted",
            "object_type": "instance",
            "object_ref": f"case-{seq}",
            "details": {"key": seq, "variables": ["approved"]},
        }
        digest = entry_hash(prev, fields)
        entries.append(Entry(**fields, prev_hash=prev, hash=digest))
        prev = digest
    return entries


def _rehash(entry: Entry, **changes: object) -> Entry:
    """An attacker's edit that also fixes the entry's own hash (but not the next entry's link)."""
    edited = dataclasses.replace(entry, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(edited, hash=entry_hash(edited.prev_hash, edited.fields()))


def test_canonical_form_is_jcs_for_our_types() -> None:
    assert canonical({"b": [1, True, None], "a": "é", "c": {"y": -2, "x": ""}}) == (
        '{"a":"é","b":[1,true,null],"c":{"x":"","y":-2}}'.encode()
    )


@pytest.mark.parametrize("value", [1.5, float("nan"), {1: "x"}, {"a": object()}, b"x"])
def test_canonical_form_refuses_floats_and_non_json_values(value: object) -> None:
    with pytest.raises(AuditFormatError):
        canonical(value)


def test_canonical_form_refuses_hostile_nesting() -> None:
    deep: object = "x"
    for _ in range(100):
        deep = [deep]
    with pytest.raises(AuditFormatError, match="nested too deeply"):
        canonical(deep)


def test_entry_hash_is_sha256_of_prev_hash_and_canonical_fields() -> None:
    fields = {"seq": 1, "action": "x"}
    expected = hashlib.sha256(GENESIS.encode() + b'{"action":"x","seq":1}').hexdigest()
    assert entry_hash(GENESIS, fields) == expected


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(_chain(5)) is None
    assert verify_chain([]) is None


def test_an_edited_entry_is_named() -> None:
    entries = _chain(5)
    entries[2] = dataclasses.replace(entries[2], details={"key": 3, "variables": ["rejected"]})
    assert verify_chain(entries) == Problem(seq=3, fault=Fault.CHANGED)
    assert Problem(seq=3, fault=Fault.CHANGED).message() == "audit entry #3 was changed (hash mismatch)"


def test_an_edit_that_fixes_its_own_hash_breaks_the_next_link() -> None:
    entries = _chain(5)
    entries[2] = _rehash(entries[2], actor="user:8")
    assert verify_chain(entries) == Problem(seq=4, fault=Fault.MOVED)


def test_a_deleted_entry_is_named() -> None:
    entries = _chain(5)
    del entries[1]
    assert verify_chain(entries) == Problem(seq=2, fault=Fault.MISSING)
    assert Problem(seq=2, fault=Fault.MISSING).message() == "audit entry #2 is missing"


def test_a_deleted_first_entry_is_named() -> None:
    assert verify_chain(_chain(3)[1:]) == Problem(seq=1, fault=Fault.MISSING)


def test_an_inserted_entry_is_named() -> None:
    entries = _chain(4)
    # forged at #3 with a correct link and hash; the old #3 and later renumbered
    forged = _rehash(entries[2], object_ref="forged", prev_hash=entries[1].hash)
    shifted = [dataclasses.replace(e, seq=e.seq + 1) for e in entries[2:]]
    assert verify_chain([*entries[:2], forged, *shifted]) == Problem(seq=4, fault=Fault.MOVED)
    # a careless forgery that does not link is named itself
    careless = dataclasses.replace(forged, prev_hash="f" * 64)
    assert verify_chain([*entries[:2], careless, *shifted]) == Problem(seq=3, fault=Fault.MOVED)


def test_reordered_entries_are_named() -> None:
    entries = _chain(5)
    second, third = dataclasses.replace(entries[2], seq=2), dataclasses.replace(entries[1], seq=3)
    swapped = [entries[0], second, third, *entries[3:]]
    assert verify_chain(swapped) == Problem(seq=2, fault=Fault.MOVED)
    assert "was inserted or moved" in Problem(seq=2, fault=Fault.MOVED).message()


def test_a_duplicated_sequence_number_is_named() -> None:
    entries = _chain(3)
    assert verify_chain([entries[0], entries[1], entries[1], entries[2]]) == Problem(seq=2, fault=Fault.MOVED)


def test_checkpoints_verify_against_the_public_key_and_the_chain() -> None:
    key = Ed25519PrivateKey.generate()
    entries = _chain(4)
    heads = {e.seq: e.hash for e in entries}
    good = sign_checkpoint(key, seq=4, head=entries[3].hash, at="2026-01-01T00:01:00.000000+00:00")
    assert list(verify_checkpoints([good], heads, key.public_key())) == []
    edited = dataclasses.replace(good, head=entries[2].hash)
    assert list(verify_checkpoints([edited], heads, key.public_key())) == [
        Problem(seq=4, fault=Fault.CHECKPOINT, detail="bad signature")
    ]
    other_key = Ed25519PrivateKey.generate().public_key()
    assert [p.detail for p in verify_checkpoints([good], heads, other_key)] == ["bad signature"]
    # a chain rewritten below a checkpoint: the signature holds, the head does not
    rewritten = {**heads, 4: "0" * 64}
    assert [p.detail for p in verify_checkpoints([good], rewritten, key.public_key())] == [
        "head differs from the chain"
    ]
    # entries signed for, then cut off
    assert list(verify_checkpoints([good], {1: heads[1]}, key.public_key())) == [
        Problem(seq=4, fault=Fault.MISSING, detail="signed by a checkpoint")
    ]


def test_a_garbled_signature_is_a_bad_signature_not_a_crash() -> None:
    key = Ed25519PrivateKey.generate()
    point = dataclasses.replace(sign_checkpoint(key, seq=1, head=GENESIS, at="t"), signature="zz")
    assert [p.detail for p in verify_checkpoints([point], {1: GENESIS}, key.public_key())] == ["bad signature"]


def test_the_chain_module_stays_pure() -> None:
    import ast
    from pathlib import Path

    import civicflow.security._chain as chain

    tree = ast.parse(Path(chain.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] in {"django", "os", "sqlite3", "datetime"}}
