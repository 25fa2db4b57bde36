"""civicflow.simulation: what-if simulation of BPMN processes, calibrated from event logs.

A discrete-event simulation of a process model (:func:`load_model`) with parameters
(:class:`SimulationParams`: arrivals, durations, branch probabilities, resource pools per lane with
working calendars) set by hand or fitted from history (:func:`fit_params`). A run yields a
simulated event log in civicflow.mining's columns (:func:`simulated_log`) and KPIs; scenarios
(:class:`Scenario`) change staffing, remove or parallelise steps, or scale demand, and
:func:`compare` puts a scenario beside its baseline. Pure core: randomness comes in as a
``random.Random``, time as the parameters' start. See docs/simulation.md.
"""

from civicflow.simulation._calendar import ALWAYS, add_working, next_working, working_seconds
from civicflow.simulation._compare import Calibration, ComparisonRow, calibration, compare, replicate
from civicflow.simulation._distribution import Distribution, DistributionKind, fit_distribution
from civicflow.simulation._errors import CalibrationError, ParameterError, SimulationError
from civicflow.simulation._fit import FitOptions, fit_params
from civicflow.simulation._model import SimFlow, SimKind, SimModel, SimNode, load_model
from civicflow.simulation._params import (
    ActivityParams,
    ArrivalParams,
    BoundaryParams,
    CaseProfile,
    ObservedCycleTimes,
    PoolParams,
    SimulationParams,
    params_from_dict,
    params_to_dict,
)
from civicflow.simulation._records import RunRecord
from civicflow.simulation._results import CycleTimes, PoolKpis, SimulationKpis, ks_statistic, run_kpis, simulated_log
from civicflow.simulation._scenario import Scenario, apply_scenario, scenario_from_dict
from civicflow.simulation._simulator import simulate

__all__ = [
    "ALWAYS",
    "ActivityParams",
    "ArrivalParams",
    "BoundaryParams",
    "Calibration",
    "CalibrationError",
    "CaseProfile",
    "ComparisonRow",
    "CycleTimes",
    "Distribution",
    "DistributionKind",
    "FitOptions",
    "ObservedCycleTimes",
    "ParameterError",
    "PoolKpis",
    "PoolParams",
    "RunRecord",
    "Scenario",
    "SimFlow",
    "SimKind",
    "SimModel",
    "SimNode",
    "SimulationError",
    "SimulationKpis",
    "SimulationParams",
    "add_working",
    "apply_scenario",
    "calibration",
    "compare",
    "fit_distribution",
    "fit_params",
    "ks_statistic",
    "load_model",
    "next_working",
    "params_from_dict",
    "params_to_dict",
    "replicate",
    "run_kpis",
    "scenario_from_dict",
    "simulate",
    "simulated_log",
    "working_seconds",
]
