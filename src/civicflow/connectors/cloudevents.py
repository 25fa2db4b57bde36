"""CloudEvents 1.0 in the JSON format: what CivicFlow publishes and what its consumer accepts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicflow.errors import CivicFlowError

__all__ = [
    "CONTENT_TYPE",
    "EVENT_TYPES",
    "SPEC_VERSION",
    "CloudEvent",
    "CloudEventError",
    "event_type",
    "parse",
]

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"

# Engine event (outbox row) -> CloudEvent type. The suffix names the subject too:
# org.civicflow.instance.completed goes to <prefix>.instance.completed on NATS.
EVENT_TYPES: Mapping[str, str] = {
    "InstanceStarted": "org.civicflow.instance.started",
    "InstanceCompleted": "org.civicflow.instance.completed",
    "InstanceTerminated": "org.civicflow.instance.terminated",
    "TaskCreated": "org.civicflow.task.created",
    "TaskCompleted": "org.civicflow.task.completed",
    "TaskCanceled": "org.civicflow.task.canceled",
    "IncidentRaised": "org.civicflow.incident.raised",
    "IncidentResolved": "org.civicflow.incident.resolved",
    "MessageSent": "org.civicflow.message.sent",
    "SignalBroadcast": "org.civicflow.signal.broadcast",
}

_REQUIRED = ("specversion", "id", "source", "type")
_ATTRIBUTES = frozenset({*_REQUIRED, "time", "subject", "datacontenttype", "dataschema", "data", "data_base64"})


class CloudEventError(CivicFlowError):
    """A message is not a CloudEvent 1.0 in the JSON format."""


def event_type(outbox_type: str) -> str:
    """The CloudEvent type of an outbox event; unknown engine events keep their name under ``org.civicflow``."""
    return EVENT_TYPES.get(outbox_type, f"org.civicflow.{outbox_type.lower()}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: datetime | None = None
    subject: str | None = None
    data: Any = None
    datacontenttype: str = "application/json"
    extensions: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"specversion": SPEC_VERSION, "id": self.id, "source": self.source, "type": self.type}
        if self.time is not None:
            body["time"] = self.time.isoformat().replace("+00:00", "Z")
        if self.subject is not None:
            body["subject"] = self.subject
        body["datacontenttype"] = self.datacontenttype
        body.update(self.extensions)
        body["data"] = self.data
        return body

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=False, default=str).encode()


def parse(raw: bytes | str) -> CloudEvent:
    """Read a structured-mode JSON CloudEvent; raises :class:`CloudEventError` when it is not one."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise CloudEventError(f"not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise CloudEventError("a CloudEvent is a JSON object")
    missing = [name for name in _REQUIRED if not isinstance(body.get(name), str) or not body[name]]
    if missing:
        raise CloudEventError(f"missing attribute(s): {', '.join(missing)}")
    if body["specversion"] != SPEC_VERSION:
        raise CloudEventError(f"specversion {body['specversion']!r} is not 1.0")
    time = None
    if isinstance(body.get("time"), str):
        try:
            time = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise CloudEventError(f"time {body['time']!r} is not RFC 3339") from exc
    extensions = {k: str(v) for k, v in body.items() if k not in _ATTRIBUTES and v is not None}
    return CloudEvent(
        id=body["id"],
        source=body["source"],
        type=body["type"],
        time=time,
        subject=body.get("subject") if isinstance(body.get("subject"), str) else None,
        data=body.get("data"),
        datacontenttype=str(body.get("datacontenttype") or "application/json"),
        extensions=extensions,
    )
