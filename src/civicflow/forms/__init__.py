"""Forms: the form-js JSON schema (Camunda Modeler's form editor) for CivicFlow's pure core.

    >>> form = load_form('{"components": [{"type": "textfield", "key": "name", "label": "Name",'
    ...                  ' "validate": {"required": true}}]}')
    >>> validate(form, {"name": ""}, language="nl").errors[0].message
    'Vul name in'

:func:`load_form` reads a schema (raising :class:`FormSchemaError`), :func:`validate` checks a
submission (never raising), :func:`render_model` prepares views for server-side templates and
:func:`unflatten` turns an HTML post into the nested data :func:`validate` takes.
See docs/forms.md for the supported subset, translations and error codes.
"""

from civicflow.forms._errors import FormError, FormSchemaError
from civicflow.forms._loader import FormLimits, load_form
from civicflow.forms._messages import LANGUAGES, ErrorCode, message
from civicflow.forms._model import (
    Component,
    ComponentType,
    DateTimeSubtype,
    Form,
    Layout,
    LocalText,
    Option,
    Validate,
)
from civicflow.forms._pages import PAGES_PROPERTY, Page, merge_page, page_of, pages
from civicflow.forms._paths import html_id, html_name, parse_html_name, unflatten
from civicflow.forms._personal import PERSONAL_PROPERTY, personal_variables
from civicflow.forms._prefill import (
    PREFILL_EDITABLE_PROPERTY,
    PREFILL_PROPERTY,
    PrefillRequest,
    PrefillSource,
    changed_answers,
    is_empty_answer,
    keep_prefilled,
    prefill_answers,
    prefill_requests,
)
from civicflow.forms._rendering import ErrorSummaryItem, FieldView, OptionView, error_summary, render_model
from civicflow.forms._rules import UploadedFile
from civicflow.forms._sniffing import SNIFF_BYTES, content_fits_name, sniff_content_type
from civicflow.forms._validation import FieldError, ValidationOptions, ValidationResult, validate

__all__ = [
    "LANGUAGES",
    "PAGES_PROPERTY",
    "PERSONAL_PROPERTY",
    "PREFILL_EDITABLE_PROPERTY",
    "PREFILL_PROPERTY",
    "SNIFF_BYTES",
    "Component",
    "ComponentType",
    "DateTimeSubtype",
    "ErrorCode",
    "ErrorSummaryItem",
    "FieldError",
    "FieldView",
    "Form",
    "FormError",
    "FormLimits",
    "FormSchemaError",
    "Layout",
    "LocalText",
    "Option",
    "OptionView",
    "Page",
    "PrefillRequest",
    "PrefillSource",
    "UploadedFile",
    "Validate",
    "ValidationOptions",
    "ValidationResult",
    "changed_answers",
    "content_fits_name",
    "error_summary",
    "html_id",
    "html_name",
    "is_empty_answer",
    "keep_prefilled",
    "load_form",
    "merge_page",
    "message",
    "page_of",
    "pages",
    "parse_html_name",
    "personal_variables",
    "prefill_answers",
    "prefill_requests",
    "render_model",
    "sniff_content_type",
    "unflatten",
    "validate",
]
