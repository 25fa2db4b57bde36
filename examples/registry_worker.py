"""An external-task worker for a department system: the population registry.

Service tasks of type ``registry-lookup`` (``<zeebe:taskDefinition type="registry-lookup"/>``)
are done here, outside the engine, over the REST API:

    civicflow token create "registry worker" --scope work:registry-lookup
    CIVICFLOW_EXTERNAL_TOPICS=registry-lookup civicflow serve      # the built-in worker leaves the topic alone
    CIVICFLOW_URL=http://127.0.0.1:8000 CIVICFLOW_TOKEN=cf_... python examples/registry_worker.py

The "registry" below is a dictionary standing in for the department's own database or SOAP service.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import timedelta
from typing import Any

from civicflow.client import BpmnError, CivicFlowClient, ExternalTask, ExternalTaskWorker, Failure

REGISTRY = {"999990019": {"name": "A. Lovelace", "municipality": "Utrecht"}}


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    url, token = os.environ.get("CIVICFLOW_URL", "http://127.0.0.1:8000"), os.environ["CIVICFLOW_TOKEN"]  # noqa: TID251 - an example is configured by its environment
    client = CivicFlowClient(url, token)
    worker = ExternalTaskWorker(client, worker_id=f"registry-{os.getpid()}", max_tasks=20)

    @worker.topic("registry-lookup", lock_duration=timedelta(seconds=30))
    def lookup(task: ExternalTask) -> dict[str, Any]:
        bsn = str(task.variables.get("bsn", ""))
        if not bsn.isdigit():
            raise Failure(f"not a citizen service number: {bsn!r}", retries=0)  # staff must look: an incident
        person = REGISTRY.get(bsn)
        if person is None:
            raise BpmnError("UNKNOWN_PERSON", f"no person {bsn} in the registry")  # the model handles it
        return {"person": person}

    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    worker.run()
    client.close()


if __name__ == "__main__":
    main()
