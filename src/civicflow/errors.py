"""The root of CivicFlow's exception hierarchy.

    CivicFlowError
    ├── ConfigurationError            (civicflow.site: bad environment settings)
    ├── NotAvailableError               (cli: a command group whose capability is not built yet)
    ├── FeelError                     (civicflow.feel)
    │   ├── FeelSyntaxError
    │   └── FeelLimitExceeded
    ├── DmnError                      (civicflow.dmn)
    └── BpmnError                     (civicflow.bpmn, civicflow.engine)

Each context defines its own base in its own package; they all derive from
:class:`CivicFlowError` so that the CLI and the API can map any of them to a one-line
message or an RFC 9457 problem document in exactly one place.
"""

from __future__ import annotations

__all__ = ["CivicFlowError", "ConfigurationError", "NotAvailableError"]


class CivicFlowError(Exception):
    """Base class of every error CivicFlow raises on purpose."""


class ConfigurationError(CivicFlowError):
    """A setting taken from the environment is missing or malformed."""


class NotAvailableError(CivicFlowError):
    """The command exists in the contract but its capability has not been built yet."""
