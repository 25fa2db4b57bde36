"""FEEL (DMN 1.5 chapter 10): parse once, compile to closures, evaluate many times.

    >>> from civicflow.feel import evaluate
    >>> evaluate("for i in 1..3 return i * 2").value
    [Decimal('2'), Decimal('4'), Decimal('6')]

Semantic errors never raise: they give null plus a :class:`FeelWarning` in the result. Text that is
not FEEL raises :class:`FeelSyntaxError`; a configured bound raises :class:`FeelLimitExceeded`.
"""

from civicflow.feel._api import (
    CompiledExpression,
    CompiledUnaryTests,
    EvaluationResult,
    compile,  # noqa: A004 - the package's main verb; civicflow.feel.compile never means the builtin
    compile_unary_tests,
    evaluate,
)
from civicflow.feel.compiler import UserFunction
from civicflow.feel.errors import FeelError, FeelEvalError, FeelLimitExceeded, FeelSyntaxError
from civicflow.feel.evaluation import Clock, Evaluation, FeelLimits, FeelWarning
from civicflow.feel.functions import BuiltinFunction, FeelFunction, is_function
from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from civicflow.feel.types import FeelType, is_instance, parse_type_name, type_of
from civicflow.feel.values import NUMBER_CONTEXT, Range, from_feel, to_feel

__all__ = [
    "NUMBER_CONTEXT",
    "BuiltinFunction",
    "Clock",
    "CompiledExpression",
    "CompiledUnaryTests",
    "DaysTimeDuration",
    "Evaluation",
    "EvaluationResult",
    "FeelDate",
    "FeelDateTime",
    "FeelError",
    "FeelEvalError",
    "FeelFunction",
    "FeelLimitExceeded",
    "FeelLimits",
    "FeelSyntaxError",
    "FeelTime",
    "FeelType",
    "FeelWarning",
    "Range",
    "UserFunction",
    "YearsMonthsDuration",
    "compile",
    "compile_unary_tests",
    "evaluate",
    "from_feel",
    "is_function",
    "is_instance",
    "parse_type_name",
    "to_feel",
    "type_of",
]
