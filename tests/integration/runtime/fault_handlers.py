"""Job handlers for the fault tests, imported by worker subprocesses (``--handlers fault_handlers``).

``fault-record`` writes one row per execution into ``fault_runs`` before returning, in its own
autocommitted statement (the worker runs handlers outside its transaction). With
``FAULT_UNIQUE=1`` the table has a unique constraint on (instance, element), so a job that two
workers run twice fails loudly; ``FAULT_SLEEP`` (seconds) keeps each job busy for a while.
"""

from __future__ import annotations

import os
import time

from django.db import connection

from civicflow.runtime.jobs import register
from civicflow.runtime.models import Job

_SLEEP = float(os.environ.get("FAULT_SLEEP", "0"))


@register("fault-record")
def record(job: Job) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO fault_runs (instance_id, element_id, pid) VALUES (%s, %s, %s)",
            [str(job.instance_id), job.element_id, os.getpid()],
        )
    if _SLEEP:
        time.sleep(_SLEEP)
