"""Event logs for the Assess section: the engine's history of a process, or an uploaded file.

Both sources end up as one normalized log stored as Parquet in the instance folder
(``assess/logs/<digest>.parquet``) under a digest that identifies its content: the SHA-256 of
the uploaded bytes and the column mapping, or of the process id and a fingerprint of its history
(row count and last row id), so an unchanged history is never read from the database twice.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from civicflow.mining import (
    CASE,
    LIFECYCLE,
    RESOURCE,
    ColumnMapping,
    EventLog,
    EventLogError,
    read_csv,
    read_xes,
)
from civicflow.runtime.mining_log import LIFECYCLE_TRANSITIONS, engine_event_log
from civicflow.runtime.models import HistoryEvent, ProcessInstance, UserTask

__all__ = [
    "DEPARTMENT",
    "DIGEST",
    "CsvColumns",
    "UploadError",
    "engine_log",
    "load_log",
    "max_upload_bytes",
    "read_upload",
    "too_big",
]

DEPARTMENT = "org:group"  # the XES organizational extension's group attribute
DIGEST = re.compile(r"^[0-9a-f]{64}$")
_ACCEPTED = (".xes", ".xes.gz", ".csv")
INSTANCE = "concept:instance"  # engine_event_log's element instance key of each event


class UploadError(ValueError):
    """An upload the page refuses before reading it (size, file type, missing mapping)."""

    def __init__(self, message: str, *, field: str, status: int = 400) -> None:
        self.field = field
        self.status = status
        super().__init__(message)


def max_upload_bytes() -> int:
    """Largest accepted upload (``CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES``, default 50 MB)."""
    return int(getattr(settings, "CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def too_big() -> str:
    """The message for an upload over the limit."""
    return _("The file must be %(size)s or smaller") % {"size": filesizeformat(max_upload_bytes())}


def max_engine_cases() -> int:
    """Most recent cases of a process read from history (``CIVICFLOW_ASSESS_MAX_CASES``, default 20,000)."""
    return int(getattr(settings, "CIVICFLOW_ASSESS_MAX_CASES", 20_000))


def _folder(name: str) -> Path:
    folder = Path(settings.INSTANCE_DIR) / "assess" / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _path(digest: str) -> Path:
    return _folder("logs") / f"{digest}.parquet"


def _store(digest: str, log: EventLog) -> None:
    # Written aside and renamed so a concurrent reader never sees half a file.
    target = _path(digest)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as handle:
        log.events.write_parquet(handle)
    Path(handle.name).replace(target)


def load_log(digest: str) -> EventLog | None:
    """The stored log with this digest, or None when there is none."""
    if not DIGEST.match(digest):
        return None
    path = _path(digest)
    if not path.exists():
        return None
    return EventLog.from_events(pl.read_parquet(path))


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvColumns:
    """The upload form's column mapping for CSV files."""

    case: str
    activity: str
    timestamp: str
    resource: str = ""
    department: str = ""
    timezone: str = ""


def read_upload(upload: UploadedFile[bytes], columns: CsvColumns) -> tuple[str, EventLog]:
    """Read an uploaded XES, gzipped XES or CSV file; return its digest and the log.

    Raises UploadError for what the form refuses and EventLogError (naming the uploaded file, the
    line or row and the column) for content that cannot be read.
    """
    name = Path(upload.name or "log").name
    lowered = name.lower()
    if not lowered.endswith(_ACCEPTED):
        raise UploadError(_("Select an XES (.xes, .xes.gz) or CSV (.csv) file"), field="log")
    if upload.size is None or upload.size > max_upload_bytes():
        raise UploadError(too_big(), field="log", status=413)
    is_csv = lowered.endswith(".csv")
    if is_csv:
        for field, text in (
            ("case", _("Enter the name of the column with the case id")),
            ("activity", _("Enter the name of the column with the activity")),
            ("timestamp", _("Enter the name of the column with the timestamp")),
        ):
            if not getattr(columns, field):
                raise UploadError(text, field=f"column-{field}")
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(dir=_folder("tmp")) as scratch:
        # The original name, so that the file type is read from it (.xes.gz is gzipped).
        path = Path(scratch) / ("upload" + lowered[lowered.index(".") :] if "." in lowered else "upload")
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                digest.update(chunk)
                handle.write(chunk)
        digest.update(repr(columns if is_csv else None).encode())
        key = digest.hexdigest()
        existing = load_log(key)
        if existing is not None:
            return key, existing
        try:
            if lowered.endswith(".xes.gz"):
                path = _gunzip(path, name)
            log = _read(path, columns) if is_csv else read_xes(path)
        except EventLogError as exc:
            raise EventLogError(exc.message, file=name, line=exc.line, column=exc.column, row=exc.row) from exc
    if log.event_count == 0:
        raise EventLogError("the log has no events", file=name)
    _store(key, log)
    return key, log


def max_unpacked_bytes() -> int:
    """Largest unpacked .xes.gz (``CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES``, default 10 x the upload limit)."""
    return int(getattr(settings, "CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES", 10 * max_upload_bytes()))


def _gunzip(path: Path, name: str) -> Path:
    """Unpack a gzipped upload beside it, refusing one that unpacks beyond the limit (a gzip bomb)."""
    target = path.with_name("upload.xes")
    limit = max_unpacked_bytes()
    written = 0
    try:
        with gzip.open(path, "rb") as packed, target.open("wb") as plain:
            while block := packed.read(1 << 20):
                written += len(block)
                if written > limit:
                    size = filesizeformat(limit)
                    raise UploadError(
                        _("The unpacked file must be %(size)s or smaller") % {"size": size}, field="log", status=413
                    )
                plain.write(block)
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError(f"not a readable gzip file: {exc}", file=name) from exc
    return target


def _read(path: Path, columns: CsvColumns) -> EventLog:
    mapping = ColumnMapping(
        case=columns.case,
        activity=columns.activity,
        timestamp=columns.timestamp,
        resource=columns.resource or None,
        timezone=columns.timezone or None,
    )
    log = read_csv(path, mapping)
    if columns.department:
        if columns.department not in log.events.columns:
            raise EventLogError(f"mapped column {columns.department!r} (for department) is missing")
        log = EventLog.from_events(log.events.rename({columns.department: DEPARTMENT}), cases=log.cases)
    return log


def engine_log(process_id: str) -> tuple[str, EventLog | None]:
    """The digest of the engine's history of ``process_id`` (all versions) and, if not yet stored, the log.

    The log is ``civicflow.runtime.mining_log.engine_event_log``'s, whose ``org:resource`` is the
    department (the element's lane or the task's candidate group): here that becomes ``org:group``,
    and ``org:resource`` names the member of staff who completed a user task (empty otherwise).
    Only the most recently started ``max_engine_cases()`` cases are read.
    """
    instances = ProcessInstance.objects.filter(definition__process_id=process_id)
    limit = max_engine_cases()
    boundary = list(instances.order_by("-started").values_list("started", flat=True)[limit - 1 : limit])
    since = boundary[0] if boundary else None
    if since is not None:
        instances = instances.filter(started__gte=since)
    rows = HistoryEvent.objects.filter(instance__in=instances, type__in=LIFECYCLE_TRANSITIONS)
    fingerprint = rows.aggregate(n=Count("id"), last=Max("id"))
    key = hashlib.sha256(f"engine\n{process_id}\n{since}\n{fingerprint}".encode()).hexdigest()
    if _path(key).exists():
        return key, None
    log = _with_people(engine_event_log(process_key=process_id, since=since))
    _store(key, log)
    return key, log


def _with_people(log: EventLog) -> EventLog:
    """Departments move to ``org:group``; ``org:resource`` becomes who completed each user task."""
    events = log.events.rename({RESOURCE: DEPARTMENT}) if RESOURCE in log.events.columns else log.events
    if "instance_id" not in log.cases.columns or INSTANCE not in events.columns:
        return EventLog.from_events(events.with_columns(pl.lit(None, dtype=pl.Utf8).alias(RESOURCE)), cases=log.cases)
    done = UserTask.objects.filter(
        instance_id__in=log.cases["instance_id"].to_list(), completed_by__isnull=False
    ).values_list("instance_id", "element_instance", "completed_by")
    people = pl.DataFrame(
        [(str(i), str(k), who) for i, k, who in done.iterator(chunk_size=5000)],
        schema={"instance_id": pl.Utf8, INSTANCE: pl.Utf8, "_who": pl.Utf8},
        orient="row",
    )
    completes = pl.col(LIFECYCLE) == "complete"
    enriched = (
        events.join(log.cases.select(CASE, "instance_id"), on=CASE, how="left")
        .join(people, on=["instance_id", INSTANCE], how="left")
        .with_columns(pl.when(completes).then(pl.col("_who")).alias(RESOURCE))
        .drop("instance_id", "_who")
    )
    return EventLog.from_events(enriched, cases=log.cases, attributes=log.attributes)
