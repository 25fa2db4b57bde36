"""The runtime's Python service API, used by the REST API, the web apps and the CLI.

    >>> from civicflow.runtime import services
    >>> services.deploy([Path("permit.bpmn")])
    >>> instance = services.start_instance("permit", business_key="P-1", variables={"area": 40})
    >>> services.complete_task(services.tasks(candidate_groups=["permits"])[0].pk, {"ok": True})

Every call runs in its own transaction(s); errors derive from
:class:`civicflow.runtime.errors.RuntimeServiceError`. Time comes from
:func:`civicflow.runtime.clock.current_clock` (``using_clock`` to inject one).
"""

from civicflow.runtime.services._cleanup import CleanupResult, history_cleanup
from civicflow.runtime.services._deploy import DeployFile, DeploymentResult, deploy
from civicflow.runtime.services._instances import (
    VersionRoute,
    VersionRouter,
    add_version_router,
    cancel_instance,
    definition_for,
    modify_instance,
    retry_incident,
    route_version,
    set_variables,
    start_instance,
)
from civicflow.runtime.services._messages import Correlation, broadcast_signal, correlate_message
from civicflow.runtime.services._migration import migrate_instances
from civicflow.runtime.services._queries import (
    ElementInstanceRecord,
    element_instances,
    get_instance,
    history,
    history_events,
    incidents,
    instances,
    tasks,
    variables,
)
from civicflow.runtime.services._tasks import claim_task, complete_task, get_task, unclaim_task

__all__ = [
    "CleanupResult",
    "Correlation",
    "DeployFile",
    "DeploymentResult",
    "ElementInstanceRecord",
    "VersionRoute",
    "VersionRouter",
    "add_version_router",
    "broadcast_signal",
    "cancel_instance",
    "claim_task",
    "complete_task",
    "correlate_message",
    "definition_for",
    "deploy",
    "element_instances",
    "get_instance",
    "get_task",
    "history",
    "history_cleanup",
    "history_events",
    "incidents",
    "instances",
    "migrate_instances",
    "modify_instance",
    "retry_incident",
    "route_version",
    "set_variables",
    "start_instance",
    "tasks",
    "unclaim_task",
    "variables",
]
