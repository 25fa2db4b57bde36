"""civicflow.mining: event logs and process-mining analyses on polars."""

from civicflow.mining._alignments import (
    AlignmentResult,
    DeviationCounts,
    Move,
    MoveKind,
    VariantAlignment,
    align,
    align_trace,
)
from civicflow.mining._bpmn_petri import ActivityLabel, bpmn_to_petri
from civicflow.mining._calendar import BusinessCalendar
from civicflow.mining._compiled_net import CompiledNet, ConformanceError, compile_net
from civicflow.mining._conformance_report import (
    ConformanceReport,
    DeviationRow,
    conformance_html,
    conformance_report,
    deviations_svg,
)
from civicflow.mining._csv import ColumnMapping, read_csv, read_parquet, write_csv, write_parquet
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
from civicflow.mining._inductive import discover_process_tree
from civicflow.mining._log import ACTIVITY, CASE, INDEX, LIFECYCLE, OFFSET, RESOURCE, TIMESTAMP, EventLog
from civicflow.mining._ocel import (
    OCEL_ACTIVITY,
    OCEL_EID,
    OCEL_FIELD,
    OCEL_OID,
    OCEL_OID_2,
    OCEL_QUALIFIER,
    OCEL_TIMESTAMP,
    OCEL_TYPE,
    ObjectCentricLog,
)
from civicflow.mining._ocel_flatten import flatten, to_ocel
from civicflow.mining._ocel_json import read_ocel_json, write_ocel_json
from civicflow.mining._ocel_sqlite import DbConnection, read_ocel_sqlite, write_ocel_sqlite
from civicflow.mining._ocel_xml import read_ocel_xml, write_ocel_xml
from civicflow.mining._performance import (
    BottleneckMeasure,
    activity_instances,
    activity_performance,
    bottlenecks,
    has_lifecycle,
    rework,
    self_loops,
)
from civicflow.mining._petri import Marking, PetriNet, Place, Transition, marking
from civicflow.mining._pnml import read_pnml, write_pnml
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
from civicflow.mining._token_replay import TokenReplayResult, VariantReplay, token_replay
from civicflow.mining._tree import Operator, ProcessTree
from civicflow.mining._tree_bpmn import tree_to_bpmn
from civicflow.mining._tree_petri import tree_to_petri
from civicflow.mining._tree_svg import tree_html, tree_svg
from civicflow.mining._variants import case_variants, filter_variants, variants
from civicflow.mining._xes_read import read_xes
from civicflow.mining._xes_write import write_xes

__all__ = [
    "ACTIVITY",
    "CASE",
    "INDEX",
    "LIFECYCLE",
    "OCEL_ACTIVITY",
    "OCEL_EID",
    "OCEL_FIELD",
    "OCEL_OID",
    "OCEL_OID_2",
    "OCEL_QUALIFIER",
    "OCEL_TIMESTAMP",
    "OCEL_TYPE",
    "OFFSET",
    "RESOURCE",
    "TIMESTAMP",
    "UNKNOWN_RESOURCE",
    "ActivityLabel",
    "AlignmentResult",
    "BottleneckMeasure",
    "BusinessCalendar",
    "ColumnMapping",
    "CompiledNet",
    "ConformanceError",
    "ConformanceReport",
    "DbConnection",
    "DeviationCounts",
    "DeviationRow",
    "DfgView",
    "DirectlyFollowsGraph",
    "EventLog",
    "EventLogError",
    "LogStatistics",
    "Marking",
    "Move",
    "MoveKind",
    "ObjectCentricLog",
    "Operator",
    "PetriNet",
    "Place",
    "ProcessTree",
    "Summary",
    "TimeFrameMode",
    "TokenReplayResult",
    "Transition",
    "VariantAlignment",
    "VariantReplay",
    "activity_instances",
    "activity_performance",
    "align",
    "align_trace",
    "bottlenecks",
    "bpmn_to_petri",
    "case_durations",
    "case_variants",
    "compile_net",
    "conformance_html",
    "conformance_report",
    "deviations_svg",
    "dfg_html",
    "dfg_svg",
    "directly_follows",
    "directly_follows_graph",
    "discover_process_tree",
    "edge_durations",
    "end_activities",
    "filter_attribute",
    "filter_case_performance",
    "filter_end_activities",
    "filter_start_activities",
    "filter_time_frame",
    "filter_variants",
    "flatten",
    "format_seconds",
    "handover_of_work",
    "has_lifecycle",
    "log_statistics",
    "marking",
    "read_csv",
    "read_ocel_json",
    "read_ocel_sqlite",
    "read_ocel_xml",
    "read_parquet",
    "read_pnml",
    "read_xes",
    "rework",
    "self_loops",
    "start_activities",
    "to_ocel",
    "token_replay",
    "tree_html",
    "tree_svg",
    "tree_to_bpmn",
    "tree_to_petri",
    "variants",
    "working_together",
    "write_csv",
    "write_ocel_json",
    "write_ocel_sqlite",
    "write_ocel_xml",
    "write_parquet",
    "write_pnml",
    "write_xes",
]
