"""DMN 1.1-1.5: read models safely, compile them to closures, evaluate decisions with explanations.

model = civicflow.dmn.load("fees.dmn")
result = model.evaluate("Fee", {"Applicant": {"age": 67}})
result.outputs["Fee"], result.warnings, result.explanation
"""

from civicflow.dmn.api import DecisionResult, DmnModel, load
from civicflow.dmn.errors import DmnError, DmnImportError, DmnInputError, DmnParseError, DmnUnknownDecision
from civicflow.dmn.explanation import DecisionExplanation, MatchedRule, TableExplanation, explanation_references

__all__ = [
    "DecisionExplanation",
    "DecisionResult",
    "DmnError",
    "DmnImportError",
    "DmnInputError",
    "DmnModel",
    "DmnParseError",
    "DmnUnknownDecision",
    "MatchedRule",
    "TableExplanation",
    "explanation_references",
    "load",
]
