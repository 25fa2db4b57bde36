"""CPU per request of the workbench inbox and task page, one request at a time (no load).

Run from the repository root:

    .venv/bin/python bench/workbench_page_cpu.py --cases 300 --rounds 50

A throw-away SQLite database in a temporary directory gets the building-permit reference
service and ``--cases`` cases (each an open completeness-check task for Intake), started through
the runtime as the tests do. A caseworker of three departments, signed in with Django's test
client, then opens the inbox and one claimed task page ``--rounds`` times each. Printed per page:
median and minimum CPU milliseconds of this process (``time.process_time``: view, template,
ORM and SQLite together) and the number of queries of one request. The machine is shared, so
the minimum is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CIVICFLOW_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "civicflow.site.settings"
        sys.path.insert(0, str(ROOT / "tests"))
        measure(args.cases, args.rounds)


def measure(cases: int, rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from civicflow.runtime import services
    from civicflow.runtime.models import UserTask
    from civicflow.services import service
    from support.workbench import APPLICATION, signed_in, staff

    setup_test_environment()  # the test client's host and the in-memory mail, as in the tests
    call_command("migrate", verbosity=0)
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    for number in range(cases):
        key = f"BP-{number}"
        services.start_instance(permit.process_id, business_key=key, variables={**APPLICATION, "caseNumber": key})
    client = signed_in(staff("ingrid", "intake", "fire-safety", "planning"))
    task = UserTask.objects.filter(element_id="check_completeness").order_by("pk").first()
    assert task is not None
    services.claim_task(task.pk, "ingrid")
    print(f"{UserTask.objects.count()} open tasks, {rounds} requests per page")
    for name, url in (("inbox", "/workbench/"), ("task page", f"/workbench/tasks/{task.pk}")):
        assert client.get(url).status_code == 200, url  # warm-up: templates compiled, caches filled
        cpu = []
        for _ in range(rounds):
            start = time.process_time()
            client.get(url)
            cpu.append((time.process_time() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{name}: {statistics.median(cpu):.1f} ms CPU median, {min(cpu):.1f} ms minimum, {len(queries)} queries")


if __name__ == "__main__":
    main()
