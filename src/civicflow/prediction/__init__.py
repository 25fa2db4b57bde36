"""civicflow.prediction: remaining time and SLA risk of running cases, learnt from finished ones.

Pure core: cases come in as :class:`CaseTrace` (an adapter, ``civicflow.runtime.prediction``,
reads them from the engine's history), the time as an argument. See docs/prediction.md.
"""

from civicflow.prediction._errors import PredictionError
from civicflow.prediction._features import Column, FeatureSpace, Moment, moment_at, prefix_moments
from civicflow.prediction._predictor import Prediction, Predictor, Reason
from civicflow.prediction._sealed import seal, unseal
from civicflow.prediction._trace import CaseTrace, OpenCases, Step, Transition, department_spans
from civicflow.prediction._train import Evaluation, Trained, TrainOptions, train

__all__ = [
    "CaseTrace",
    "Column",
    "Evaluation",
    "FeatureSpace",
    "Moment",
    "OpenCases",
    "Prediction",
    "PredictionError",
    "Predictor",
    "Reason",
    "Step",
    "TrainOptions",
    "Trained",
    "Transition",
    "department_spans",
    "moment_at",
    "prefix_moments",
    "seal",
    "train",
    "unseal",
]
