"""civicflow.mining: event logs and process-mining analyses on polars."""

from civicflow.mining._calendar import BusinessCalendar
from civicflow.mining._csv import ColumnMapping, read_csv, read_parquet
from civicflow.mining._dfg import DirectlyFollowsGraph, directly_follows, directly_follows_graph, edge_durations
from civicflow.mining._errors import EventLogError
from civicflow.mining._filters import (
    TimeFrameMode,
    filter_attribute,
    filter_case_performance,
    filter_end_activities,
    filter_start_activities,
    filter_time_frame,
)
from civicflow.mining._log import ACTIVITY, CASE, INDEX, LIFECYCLE, OFFSET, RESOURCE, TIMESTAMP, EventLog
from civicflow.mining._performance import (
    BottleneckMeasure,
    activity_instances,
    activity_performance,
    bottlenecks,
    has_lifecycle,
    rework,
    self_loops,
)
from civicflow.mining._render import DfgView, dfg_html, dfg_svg, format_seconds
from civicflow.mining._social import UNKNOWN_RESOURCE, handover_of_work, working_together
from civicflow.mining._stats import (
    LogStatistics,
    Summary,
    case_durations,
    end_activities,
    log_statistics,
    start_activities,
)
from civicflow.mining._variants import case_variants, filter_variants, variants
from civicflow.mining._xes_read import read_xes
from civicflow.mining._xes_write import write_xes

__all__ = [
    "ACTIVITY",
    "CASE",
    "INDEX",
    "LIFECYCLE",
    "OFFSET",
    "RESOURCE",
    "TIMESTAMP",
    "UNKNOWN_RESOURCE",
    "BottleneckMeasure",
    "BusinessCalendar",
    "ColumnMapping",
    "DfgView",
    "DirectlyFollowsGraph",
    "EventLog",
    "EventLogError",
    "LogStatistics",
    "Summary",
    "TimeFrameMode",
    "activity_instances",
    "activity_performance",
    "bottlenecks",
    "case_durations",
    "case_variants",
    "dfg_html",
    "dfg_svg",
    "directly_follows",
    "directly_follows_graph",
    "edge_durations",
    "end_activities",
    "filter_attribute",
    "filter_case_performance",
    "filter_end_activities",
    "filter_start_activities",
    "filter_time_frame",
    "filter_variants",
    "format_seconds",
    "handover_of_work",
    "has_lifecycle",
    "log_statistics",
    "read_csv",
    "read_parquet",
    "read_xes",
    "rework",
    "self_loops",
    "start_activities",
    "variants",
    "working_together",
    "write_xes",
]
