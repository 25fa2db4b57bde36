"""Every built-in function of DMN 1.5 §10.3.4, by name.

One module per family registers its functions into ``BUILTINS`` on import.
"""

from civicflow.feel.builtins import boolean, context, conversion, dates, lists, numeric, ranges, strings
from civicflow.feel.builtins._registry import BUILTINS

__all__ = ["BUILTINS"]

_FAMILIES = (boolean, context, conversion, dates, lists, numeric, ranges, strings)
