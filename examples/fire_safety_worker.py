"""The external-task worker for the fire-safety register of the reference building permit.

The building permit (``civicflow.services``, ``building_permit/``) consults the fire-safety
register through the service task ``fire_safety_register``, job type ``fire-safety-register``.
That topic is external by default (``CIVICFLOW_EXTERNAL_TOPICS`` defaults to
``fire-safety-register``), so ``civicflow worker`` leaves it to this worker, over the REST API:

    civicflow token create "fire-safety register" --scope work:fire-safety-register
    civicflow serve                                        # deploys the reference services
    CIVICFLOW_URL=http://127.0.0.1:8000 CIVICFLOW_TOKEN=cf_... python examples/fire_safety_worker.py

It answers ``fireRegisterCompliant`` (and a register reference). The "register" below is a rule
standing in for the fire brigade's own system: a building is compliant unless its case number is in
``NON_COMPLIANT``.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import timedelta
from typing import Any

from civicflow.client import CivicFlowClient, ExternalTask, ExternalTaskWorker

NON_COMPLIANT: set[str] = set()


def answer(variables: dict[str, Any]) -> dict[str, Any]:
    """What the register says about the case of these process variables."""
    case = str(variables.get("caseNumber", ""))
    return {"fireRegisterCompliant": case not in NON_COMPLIANT, "fireRegisterReference": f"FSR-{case}"}


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    url, token = os.environ.get("CIVICFLOW_URL", "http://127.0.0.1:8000"), os.environ["CIVICFLOW_TOKEN"]  # noqa: TID251 - an example is configured by its environment
    client = CivicFlowClient(url, token)
    worker = ExternalTaskWorker(client, worker_id=f"fire-safety-{os.getpid()}", max_tasks=20)

    @worker.topic("fire-safety-register", lock_duration=timedelta(seconds=30))
    def register(task: ExternalTask) -> dict[str, Any]:
        return answer(dict(task.variables))

    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    worker.run()
    client.close()


if __name__ == "__main__":
    main()
