"""civicflow.kpi: key performance indicators per service and stage, computed from plain records.

The core knows nothing of Django or the database: an adapter (``civicflow.runtime.kpi_projection``)
turns history events and portal rows into :class:`KpiInput` and passes the time in. See docs/kpi.md.
"""

from civicflow.kpi._compare import Arm, Measure, MeasureComparison, VersionComparison, compare_versions
from civicflow.kpi._compute import compute_kpis
from civicflow.kpi._definition import KpiDefinition, StageDefinition, parse_target
from civicflow.kpi._errors import KpiError
from civicflow.kpi._export import kpis_as_dict, kpis_from_dict
from civicflow.kpi._period import Clock, Period, PeriodKind
from civicflow.kpi._records import (
    CaseOutcome,
    CaseRecord,
    Channel,
    DraftRecord,
    IncidentRecord,
    KpiInput,
    SatisfactionRecord,
    StageRecord,
    TaskRecord,
)
from civicflow.kpi._report import AGEING_BUCKETS, DepartmentKpis, ServiceKpis, StageKpis
from civicflow.kpi._significance import (
    ALPHA,
    Comparison,
    Interval,
    mann_whitney,
    median_interval,
    two_proportions,
    wilson_interval,
)
from civicflow.kpi._stats import DurationStats, Ratio, nearest_rank

__all__ = [
    "AGEING_BUCKETS",
    "ALPHA",
    "Arm",
    "CaseOutcome",
    "CaseRecord",
    "Channel",
    "Clock",
    "Comparison",
    "DepartmentKpis",
    "DraftRecord",
    "DurationStats",
    "IncidentRecord",
    "Interval",
    "KpiDefinition",
    "KpiError",
    "KpiInput",
    "Measure",
    "MeasureComparison",
    "Period",
    "PeriodKind",
    "Ratio",
    "SatisfactionRecord",
    "ServiceKpis",
    "StageDefinition",
    "StageKpis",
    "StageRecord",
    "TaskRecord",
    "VersionComparison",
    "compare_versions",
    "compute_kpis",
    "kpis_as_dict",
    "kpis_from_dict",
    "mann_whitney",
    "median_interval",
    "nearest_rank",
    "parse_target",
    "two_proportions",
    "wilson_interval",
]
