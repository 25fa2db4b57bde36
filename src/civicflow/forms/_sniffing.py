"""What a file really is, from its first bytes, and whether that fits the name it was sent under.

Browsers report a content type taken from the file name, so a ``.pdf`` that is really a Windows
program arrives as ``application/pdf``. The adapter reads the first :data:`SNIFF_BYTES` bytes and
passes :func:`sniff_content_type`'s answer as ``UploadedFile.sniffed_type``; validation then checks
the extension against what the content is. Signatures are the published magic numbers of each
format (PDF 1.7 section 7.5.2, PNG section 5.2, JFIF, GIF89a, TIFF 6.0, RIFF/WebP, ZIP APPNOTE
4.3.7, Compound File Binary, PE/COFF, ELF, Mach-O).
"""

from __future__ import annotations

__all__ = ["SNIFF_BYTES", "content_fits_name", "sniff_content_type"]

SNIFF_BYTES = 2048

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
_ZIP = "application/zip"
_OLE = "application/x-ole-storage"

# (offset, signature, type), tested in order.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"PK\x03\x04", _ZIP),
    (0, b"PK\x05\x06", _ZIP),  # an empty archive
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _OLE),
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    (0, b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (0, b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (0, b"#!", "text/x-script"),
)
# Markup is sniffed as the WHATWG MIME sniffing standard does: leading whitespace skipped, case ignored.
_MARKUP = (
    (b"<!doctype html", "text/html"),
    (b"<html", "text/html"),
    (b"<script", "text/html"),
    (b"<svg", "image/svg+xml"),
    (b"<?xml", "application/xml"),
)
# What content each extension may hold. Office Open XML and OpenDocument files are ZIP archives;
# the legacy Office formats are Compound File Binary.
_EXPECTED: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".png": frozenset({"image/png"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".gif": frozenset({"image/gif"}),
    ".tif": frozenset({"image/tiff"}),
    ".tiff": frozenset({"image/tiff"}),
    ".webp": frozenset({"image/webp"}),
    ".zip": frozenset({_ZIP}),
    ".docx": frozenset({_ZIP}),
    ".xlsx": frozenset({_ZIP}),
    ".pptx": frozenset({_ZIP}),
    ".odt": frozenset({_ZIP}),
    ".ods": frozenset({_ZIP}),
    ".odp": frozenset({_ZIP}),
    ".doc": frozenset({_OLE}),
    ".xls": frozenset({_OLE}),
    ".ppt": frozenset({_OLE}),
    ".txt": frozenset({TEXT}),
    ".csv": frozenset({TEXT}),
    ".xml": frozenset({"application/xml", TEXT}),
    ".svg": frozenset({"image/svg+xml", "application/xml"}),
    ".html": frozenset({"text/html"}),
    ".htm": frozenset({"text/html"}),
}
# Content that runs when opened: never accepted under another format's name.
_ACTIVE = frozenset(
    {"application/x-msdownload", "application/x-executable", "application/x-mach-binary", "text/x-script", "text/html"}
)


def sniff_content_type(head: bytes) -> str:
    """The content type the first bytes of a file show (``application/octet-stream`` when unknown)."""
    head = head[:SNIFF_BYTES]
    for offset, signature, kind in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    start = head.lstrip(b" \t\r\n\x0c").lower()
    if start.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
        start = start[3:].lstrip(b" \t\r\n\x0c")
    for prefix, kind in _MARKUP:
        if start.startswith(prefix):
            return kind
    return TEXT if _is_text(head) else OCTET_STREAM


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a multi-byte character; only an error before its last 3 bytes counts.
        return error.start >= len(head) - 3
    return True


def content_fits_name(name: str, sniffed: str) -> bool:
    """Whether content of type ``sniffed`` may be sent under the file name ``name``.

    A known extension must hold its own format; any other name must not hold a program or a page.
    """
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot >= 0 else ""
    expected = _EXPECTED.get(extension)
    if expected is not None:
        return sniffed in expected
    return sniffed not in _ACTIVE
