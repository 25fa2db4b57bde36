"""A small typed Python client of CivicFlow's REST API and an external-task worker loop.

    >>> from civicflow.client import CivicFlowClient, ExternalTaskWorker
    >>> client = CivicFlowClient("http://127.0.0.1:8000", token="cf_...")
    >>> client.start("permit", business_key="P-1", variables={"area": 40})
    >>> worker = ExternalTaskWorker(client, worker_id="registry-1")
    >>> @worker.topic("registry-lookup")
    ... def lookup(task): return {"name": "Ada"}
    >>> worker.run()

Needs only httpx: no Django, no database.
"""

from civicflow.client._client import CivicFlowClient, Correlation, ExternalTask, Instance, ProblemError, UserTask
from civicflow.client._worker import BpmnError, ExternalTaskWorker, Failure, TaskHandler

__all__ = [
    "BpmnError",
    "CivicFlowClient",
    "Correlation",
    "ExternalTask",
    "ExternalTaskWorker",
    "Failure",
    "Instance",
    "ProblemError",
    "TaskHandler",
    "UserTask",
]
