"""The audit trail's signed checkpoints on the transparency page (/portal/transparency/audit/).

Checkpoints are signed through the security app's own API (``audit.record`` then ``audit.checkpoint``)
with a key made here; the JSON file's signatures are checked with only what the file holds (the
public key PEM and each checkpoint's fields), as an outsider would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)
from lxml import html as lxml_html

from civicflow.security import audit
from civicflow.security._chain import canonical
from civicflow.security.models import AuditCheckpoint
from support.portal_citizen import client

pytestmark = pytest.mark.django_db

_PAGE = "/portal/transparency/audit/"
_JSON = "/portal/transparency/audit/checkpoints.json"


@pytest.fixture(autouse=True)
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ed25519PrivateKey:
    made = Ed25519PrivateKey.generate()
    path = tmp_path / "audit.pem"
    path.write_bytes(made.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    monkeypatch.setenv("CIVICFLOW_AUDIT_SIGNING_KEY", str(path))
    return made


def _sign(count: int) -> list[AuditCheckpoint]:
    points = []
    for number in range(count):
        audit.record(actor="staff:1", action="case.view", obj=("case", f"C-{number}"))
        point = audit.checkpoint()
        assert point is not None
        points.append(point)
    return points


def _verify_all(document: dict[str, object]) -> None:
    public_key = load_pem_public_key(str(document["public_key"]).encode("ascii"))
    assert isinstance(public_key, Ed25519PublicKey)
    for point in document["checkpoints"]:  # type: ignore[attr-defined]
        message = canonical({"seq": point["seq"], "head": point["head"], "at": point["at"]})
        public_key.verify(bytes.fromhex(point["signature"]), message)


def test_the_json_holds_every_checkpoint_and_each_signature_verifies_with_its_public_key(
    key: Ed25519PrivateKey,
) -> None:
    points = _sign(3)
    response = client().get(_JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    document = response.json()
    assert document["algorithm"] == "Ed25519"
    expected_pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    assert document["public_key"] == expected_pem
    assert [p["seq"] for p in document["checkpoints"]] == [p.seq for p in points]
    assert {p["key_id"] for p in document["checkpoints"]} == {points[0].key_id}
    _verify_all(document)


def test_a_tampered_signature_in_the_database_fails_verification() -> None:
    points = _sign(2)
    _verify_all(client().get(_JSON).json())
    signature = bytearray(bytes.fromhex(points[1].signature))
    signature[0] ^= 0x01
    AuditCheckpoint.objects.filter(pk=points[1].pk).update(signature=signature.hex())
    with pytest.raises(InvalidSignature):
        _verify_all(client().get(_JSON).json())


def test_a_tampered_head_fails_verification_too() -> None:
    points = _sign(1)
    AuditCheckpoint.objects.filter(pk=points[0].pk).update(head="0" * 64)
    with pytest.raises(InvalidSignature):
        _verify_all(client().get(_JSON).json())


_TEXT = {
    "en": ("Signed checkpoints of the audit trail", "civicflow audit verify", "Signature"),
    "nl": ("Ondertekende controlepunten van het auditlogboek", "civicflow audit verify", "Handtekening"),
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_page_lists_the_latest_fifty_newest_first_with_the_public_key(language: str) -> None:
    points = _sign(52)
    response = client(language).get(_PAGE)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    page = lxml_html.fromstring(response.content)
    title, command, signature_label = _TEXT[language]
    assert page.findtext(".//h1") == title
    assert command in page.text_content()
    lists = page.findall(".//dl")
    assert [int(dl.get("id").removeprefix("checkpoint-")) for dl in lists] == [p.seq for p in points[::-1][:50]]
    newest = lists[0]
    assert newest.xpath(".//dt/text()")[-1] == signature_label
    assert newest.xpath(".//code/text()")[-1] == points[-1].signature
    pem = page.get_element_by_id("public-key").text_content()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "/portal/transparency/audit/checkpoints.json" in {a.get("href") for a in page.iter("a")}
    index = lxml_html.fromstring(client(language).get("/portal/transparency/").content)
    assert _PAGE in {a.get("href") for a in index.iter("a")}


def test_the_page_says_so_when_nothing_is_signed_and_only_get_is_allowed() -> None:
    response = client().get(_PAGE)
    assert response.status_code == 200
    assert "No checkpoint has been signed yet." in response.content.decode()
    assert client().post(_PAGE).status_code == 405
    assert client().post(_JSON).status_code == 405
