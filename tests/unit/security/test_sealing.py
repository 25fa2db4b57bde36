"""The pure sealing layer: AES-256-GCM tokens bound to subject and field, DEKs wrapped by KEKs."""

from __future__ import annotations

import base64
import os

import pytest

from civicflow.security._sealing import (
    Kek,
    TokenFormatError,
    TokenRejectedError,
    field_aad,
    new_dek,
    open_token,
    seal,
    token_key_id,
    unwrap_dek,
    wrap_dek,
)

_REF = "a" * 64


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_round_trip_of_text_and_bytes() -> None:
    dek = new_dek()
    aad = field_aad(_REF, "email")
    token = seal("jan@example.nl", dek, aad, key_id="7")
    assert open_token(token, dek, aad) == b"jan@example.nl"
    assert open_token(seal(b"\x00\xff", dek, aad, key_id="7"), dek, aad) == b"\x00\xff"
    assert token_key_id(token) == "7"
    assert "jan" not in token
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("where", ["version", "key id", "nonce", "ciphertext", "tag"])
def test_a_flipped_bit_anywhere_is_refused(where: str) -> None:
    dek, aad = new_dek(), field_aad(_REF, "email")
    token = seal("jan@example.nl", dek, aad, key_id="7")
    length = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    index = {"version": 0, "key id": 2, "nonce": 5, "ciphertext": 16, "tag": length - 1}[where]
    expected = TokenFormatError if where == "version" else TokenRejectedError
    with pytest.raises(expected):
        open_token(_flip(token, index), dek, aad)


def test_another_subject_or_field_is_refused() -> None:
    dek = new_dek()
    token = seal("1990-01-01", dek, field_aad(_REF, "birth_date"), key_id="1")
    with pytest.raises(TokenRejectedError, match="another key, subject or field"):
        open_token(token, dek, field_aad("b" * 64, "birth_date"))
    with pytest.raises(TokenRejectedError):
        open_token(token, dek, field_aad(_REF, "email"))
    # the framing keeps ("ab", "c") and ("a", "bc") apart
    assert field_aad("ab", "c") != field_aad("a", "bc")


def test_another_dek_is_refused() -> None:
    aad = field_aad(_REF, "email")
    token = seal("x", new_dek(), aad, key_id="1")
    with pytest.raises(TokenRejectedError):
        open_token(token, new_dek(), aad)


def test_nonces_are_unique() -> None:
    dek, aad = new_dek(), field_aad(_REF, "email")
    tokens = [seal("same value", dek, aad, key_id="1") for _ in range(2000)]
    nonces = {base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))[3:15] for t in tokens}
    assert len(nonces) == len(tokens)


@pytest.mark.parametrize(
    "text", ["", "!!!", "AQ", base64.urlsafe_b64encode(b"\x02\x01x" + bytes(40)).decode(), "A" * 2_000_000]
)
def test_malformed_tokens_are_format_errors(text: str) -> None:
    with pytest.raises(TokenFormatError):
        open_token(text, new_dek(), b"")


def test_wrap_and_unwrap_with_kek_ids() -> None:
    old, new = Kek(os.urandom(32)), Kek(os.urandom(32))
    assert old.kek_id != new.kek_id
    assert len(old.kek_id) == 16
    assert Kek(old.key).kek_id == old.kek_id  # derived from the key, stable
    assert old.key.hex() not in repr(old)
    dek = new_dek()
    wrapped = wrap_dek(dek, old, _REF)
    assert unwrap_dek(wrapped, old, _REF) == dek
    with pytest.raises(TokenRejectedError, match=new.kek_id):
        unwrap_dek(wrapped, new, _REF)
    with pytest.raises(TokenRejectedError):  # a wrapped DEK moved to another subject's row
        unwrap_dek(wrapped, old, "b" * 64)
    with pytest.raises(TokenRejectedError):
        unwrap_dek(_flip(wrapped, 20), old, _REF)
    with pytest.raises(TokenFormatError):
        unwrap_dek(wrapped[:-4], old, _REF)


def test_a_kek_is_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Kek(b"short")
