"""Stored citizen documents as downloads, for the portal (the citizen) and the workbench (staff).

Uploads live in the instance folder's media storage under random names (``civicflow.portal``
writes them). A download is always an attachment with ``nosniff``: a browser never shows or runs
a citizen's file inside the site's origin.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse

__all__ = ["attachment", "document_storage"]


def document_storage() -> FileSystemStorage:
    """Where uploaded documents' bytes are kept (``MEDIA_ROOT/documents``, owner-only files)."""
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "documents", file_permissions_mode=0o600)


def attachment(storage_name: str, *, name: str, content_type: str) -> FileResponse:
    """The stored file ``storage_name`` as a download called ``name``."""
    response = FileResponse(document_storage().open(storage_name, "rb"), content_type=content_type)
    # an ASCII fallback name for old clients, and the real one in RFC 6266's filename*
    fallback = "".join(c for c in name if c.isascii() and (c.isalnum() or c in " -_.")).strip() or "document"
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # should a browser render it anyway, nothing in it may run or load
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
