"""civicflow.mining: event logs and process-mining analyses on polars."""

from civicflow.mining._errors import EventLogError
from civicflow.mining._log import ACTIVITY, CASE, INDEX, LIFECYCLE, OFFSET, RESOURCE, TIMESTAMP, EventLog

__all__ = [
    "ACTIVITY",
    "CASE",
    "INDEX",
    "LIFECYCLE",
    "OFFSET",
    "RESOURCE",
    "TIMESTAMP",
    "EventLog",
    "EventLogError",
]
