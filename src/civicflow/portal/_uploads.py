"""Files citizens upload with a form: checked by the forms core, stored under random names, served back.

The bytes go to the instance folder's media storage (``MEDIA_ROOT/documents``) under a random
name; the citizen's file name is kept only as text for display, cleaned of paths and control
characters. Before submission a document belongs to the browser session that uploaded it (a
random upload token in the session, stored as a hash), to the draft it was saved with, and after
submission to the application. What the content is comes from its first bytes, never from the
browser (``civicflow.forms.sniff_content_type``).
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile as DjangoUpload
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from civicflow.forms import SNIFF_BYTES, UploadedFile, sniff_content_type
from civicflow.portal._secrets import digest
from civicflow.portal.models import Application, Document, Draft
from civicflow.web.attachments import attachment, document_storage

__all__ = [
    "UploadLimitMiddleware",
    "attach_to_application",
    "described",
    "discard",
    "download",
    "files_key",
    "ids_by_field",
    "keep_with_draft",
    "owned",
    "restore_from_draft",
    "store",
    "stored_files",
    "sweep_uploads",
]

_UPLOADER = "portal:uploader"  # the session's random upload token
_MAX_NAME = 120
_CHUNK = 64 * 1024


def _uploader(request: HttpRequest) -> str:
    """The hash of this session's upload token (created on first use)."""
    token = request.session.get(_UPLOADER)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_UPLOADER] = token
    return digest(token)


def display_name(name: str) -> str:
    """The file name to show: no folders (``../../etc/passwd`` is ``passwd``), no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] not in "CZ" or c == " "
    )
    cleaned = cleaned.strip(" .")
    if len(cleaned) > _MAX_NAME:
        _stem, dot, extension = cleaned.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        cleaned = cleaned[: _MAX_NAME - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return cleaned or "document"


def candidate(upload: DjangoUpload[bytes]) -> UploadedFile:
    """What the forms core checks of a file not stored yet: its cleaned name, size and sniffed type."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return UploadedFile(
        name=display_name(upload.name or ""),
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size or 0,
        sniffed_type=sniff_content_type(head),
    )


def store(request: HttpRequest, *, service: str, field: str, upload: DjangoUpload[bytes]) -> Document:
    """Write an accepted upload to storage and record it as this session's document."""
    checked = candidate(upload)
    storage_name = secrets.token_hex(20)
    hasher = hashlib.sha256()
    size = 0
    target = Path(document_storage().path(storage_name))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    upload.seek(0)
    with target.open("xb") as out:
        for chunk in upload.chunks(_CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            out.write(chunk)
    target.chmod(0o600)
    return Document.objects.create(
        service=service,
        field=field[:200],
        name=checked.name,
        content_type=checked.type,
        size=size,
        sha256=hasher.hexdigest(),
        storage_name=storage_name,
        uploader_hash=_uploader(request),
        created=timezone.now(),
    )


def owned(request: HttpRequest, ids: Iterable[str]) -> list[Document]:
    """This session's unsubmitted documents among ``ids``, in upload order (others are left out)."""
    wanted = [str(i) for i in ids][:200]
    if not wanted or not isinstance(request.session.get(_UPLOADER), str):
        return []
    try:
        rows = Document.objects.filter(pk__in=wanted, uploader_hash=_uploader(request), application__isnull=True)
        return list(rows.order_by("created", "id"))
    except (ValueError, TypeError, ValidationError):  # not a UUID: forged
        return []


def described(documents: Iterable[Document]) -> list[UploadedFile]:
    """Stored documents as the forms core checks them."""
    return [
        UploadedFile(name=d.name, content_type=d.content_type, size=d.size, ref=str(d.pk), sniffed_type=d.content_type)
        for d in documents
    ]


def discard(documents: Iterable[Document]) -> None:
    """Delete documents and their bytes."""
    storage = document_storage()
    for document in documents:
        storage.delete(document.storage_name)
        document.delete()


def keep_with_draft(request: HttpRequest, ids: Iterable[str], draft: Draft) -> None:
    """Saved for later: the draft holds the session's documents so that its link brings them back."""
    Document.objects.filter(pk__in=[d.pk for d in owned(request, ids)]).update(draft=draft)


def restore_from_draft(request: HttpRequest, draft: Draft) -> dict[str, list[str]]:
    """The draft's documents become this session's; returns them by field name."""
    Document.objects.filter(draft=draft, application__isnull=True).update(uploader_hash=_uploader(request))
    by_field: dict[str, list[str]] = {}
    for document in Document.objects.filter(draft=draft, application__isnull=True).order_by("created", "id"):
        by_field.setdefault(document.field, []).append(str(document.pk))
    return by_field


def attach_to_application(request: HttpRequest, ids: Iterable[str], application: Application) -> None:
    """Submitted: the documents now belong to the application (and no longer to any session)."""
    chosen = [d.pk for d in owned(request, ids)]
    Document.objects.filter(pk__in=chosen).update(application=application, uploader_hash="", draft=None)


def download(document: Document) -> HttpResponseBase:
    """The document as an attachment: never shown inline, never sniffed by the browser."""
    return attachment(document.storage_name, name=document.name, content_type=document.content_type)


def sweep_uploads(now: datetime | None = None) -> int:
    """Delete uploads nobody can reach any more; the number deleted (a worker step, hourly).

    A document of an application stays. One saved with a draft goes when the draft expires; one
    of a session only, when that session would have expired (``SESSION_COOKIE_AGE``). Without
    this, abandoned applications would fill the disk.
    """
    now = now or timezone.now()
    session_age = timedelta(seconds=int(settings.SESSION_COOKIE_AGE))
    unattached = Document.objects.filter(application__isnull=True)
    stale = unattached.filter(draft__isnull=True, created__lt=now - session_age) | unattached.filter(
        draft__expires__lt=now
    )
    swept = 0
    for document in stale.order_by("created")[:1_000]:
        discard([document])
        swept += 1
    return swept


def files_key(service_id: str) -> str:
    """The session key of an application's uploads: ``{field name: [document id, ...]}``."""
    return f"portal:{service_id}:files"


def stored_files(request: HttpRequest, files: Mapping[str, list[str]]) -> dict[str, list[UploadedFile]]:
    """The session's documents by field name, as the forms core checks them."""
    return {name: described(owned(request, ids)) for name, ids in files.items()}


def ids_by_field(value: Any) -> dict[str, list[str]]:
    """The session's ``{field: [document id, ...]}`` map, whatever the session holds."""
    if not isinstance(value, Mapping):
        return {}
    return {
        str(name): [str(i) for i in ids if isinstance(i, str)] for name, ids in value.items() if isinstance(ids, list)
    }


class UploadLimitMiddleware:
    """Refuses portal posts larger than ``CIVICFLOW_PORTAL_MAX_REQUEST_BYTES`` before anything reads them.

    It must come before the CSRF middleware, which reads (and so stores) the whole post. The
    answer is a page saying how large uploads may be, with status 413.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info.startswith("/portal/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = int(settings.CIVICFLOW_PORTAL_MAX_REQUEST_BYTES)
            if length > limit:
                return too_large(request, limit)
        response: HttpResponse = self.get_response(request)
        return response


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """The friendly answer to an upload that is too large."""
    megabytes = max(limit // (1024 * 1024), 1)
    context = {
        "title": gettext("The files you selected are too large"),
        "body": gettext("You can send at most %(size)d MB at a time. Go back and select fewer or smaller files.")
        % {"size": megabytes},
    }
    return render(request, "civicflow/error.html", context, status=413)
