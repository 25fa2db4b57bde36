"""The workbench's views (one module per page family)."""

from civicflow.workbench.views._alerts import alerts
from civicflow.workbench.views._assess import assess, assess_figure, assess_log, assess_upload
from civicflow.workbench.views._assess_conformance import assess_conformance
from civicflow.workbench.views._auth import SignInView, SignOutView
from civicflow.workbench.views._cases import add_comment, case
from civicflow.workbench.views._inbox import claim, delegate, inbox, unclaim
from civicflow.workbench.views._kpi import kpi_export, kpi_overview, kpi_service
from civicflow.workbench.views._notifications import work_notifications
from civicflow.workbench.views._operations import deploy, incidents, retry
from civicflow.workbench.views._pilots import pilot, pilot_adopt, pilot_start, pilot_stop, pilots_list
from civicflow.workbench.views._simulate import simulate, simulate_fit
from civicflow.workbench.views._task import task

__all__ = [
    "SignInView",
    "SignOutView",
    "add_comment",
    "alerts",
    "assess",
    "assess_conformance",
    "assess_figure",
    "assess_log",
    "assess_upload",
    "case",
    "claim",
    "delegate",
    "deploy",
    "inbox",
    "incidents",
    "kpi_export",
    "kpi_overview",
    "kpi_service",
    "pilot",
    "pilot_adopt",
    "pilot_start",
    "pilot_stop",
    "pilots_list",
    "retry",
    "simulate",
    "simulate_fit",
    "task",
    "unclaim",
    "work_notifications",
]
