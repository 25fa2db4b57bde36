"""Content sniffing: what the first bytes are, and whether a file name may carry them."""

from __future__ import annotations

import pytest

from civicflow.forms import UploadedFile, content_fits_name, load_form, sniff_content_type, validate

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"PK\x03\x04\x14\x00\x06\x00", "application/zip"),
        (EXE, "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (b"#!/bin/sh\nrm -rf /\n", "text/x-script"),
        (b"  \n<!DOCTYPE html><html>", "text/html"),
        (b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        (b"name;size\nplan;3\n", "text/plain"),
        ("caf\u00e9".encode()[:-1], "text/plain"),  # a sample cut inside a character is still text
        (b"\x00\x01\x02\x03", "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_sniff(head: bytes, kind: str) -> None:
    assert sniff_content_type(head) == kind


def test_known_extensions_must_hold_their_format_and_other_names_no_program() -> None:
    assert content_fits_name("plan.PDF", "application/pdf")
    assert not content_fits_name("plan.pdf", "application/x-msdownload")
    assert not content_fits_name("photo.jpg", "image/png")
    assert content_fits_name("notes.docx", "application/zip")
    assert content_fits_name("drawing.dwg", "application/octet-stream")
    assert not content_fits_name("drawing.dwg", "application/x-executable")
    assert not content_fits_name("README", "text/html")


def test_validation_refuses_a_pdf_that_is_really_a_program() -> None:
    form = load_form({"components": [{"type": "filepicker", "key": "plan", "label": "Plan", "accept": ".pdf"}]})
    honest = UploadedFile(
        name="plan.pdf", content_type="application/pdf", size=10, ref="d1", sniffed_type="application/pdf"
    )
    assert validate(form, {}, files={"plan": [honest]}).values["plan"]["type"] == "application/pdf"
    program = UploadedFile(
        name="plan.pdf", content_type="application/pdf", size=10, ref="d2", sniffed_type=sniff_content_type(EXE)
    )
    (error,) = validate(form, {}, files={"plan": [program]}, language="nl").errors
    assert error.code == "file_content"
    assert error.message == "Het gekozen bestand plan.pdf is niet het soort bestand dat de naam aangeeft"
    # a MIME token in accept is checked against the sniffed type, not the declared one
    images = load_form({"components": [{"type": "filepicker", "key": "photo", "label": "Photo", "accept": "image/*"}]})
    posing = UploadedFile(name="photo", content_type="image/png", size=10, sniffed_type="application/pdf")
    assert validate(images, {}, files={"photo": [posing]}).errors[0].code == "file_type"
