"""Errors of :mod:`civicflow.forms`.

    CivicFlowError
    └── FormError
        └── FormSchemaError   (a form-js schema that cannot be loaded; ``path`` names the component)

Submitted data never raises: problems with it are :class:`~civicflow.forms.FieldError` values in the
validation result, because a citizen's typing mistake is not an exception.
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["FormError", "FormSchemaError"]


class FormError(CivicFlowError):
    """Base class of the errors raised by :mod:`civicflow.forms`."""


class FormSchemaError(FormError):
    """The form-js JSON is not a form CivicFlow can use.

    ``path`` locates the offending component the way a reader finds it in the JSON, for example
    ``components[2].components[0] (key 'email')``; it is empty for problems with the whole document.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
