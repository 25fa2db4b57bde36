"""CivicFlow: business process integration for public agencies.

The pure core (``feel``, ``dmn``, ``bpmn``, ``engine``, ``forms``, ``mining``, ``kpi``) is a
plain library without Django, databases, network or process environment; the adapters
(``runtime``, ``api``, ``portal``, ``workbench``, ``connectors``, ``security``, ``cli``) wire it
into the Django site ``civicflow.site``.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
