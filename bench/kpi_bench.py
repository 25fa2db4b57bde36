"""How fast the KPI read models catch up with new history, on PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/kpi_bench.py [--cases 400] [--rounds 2]

A throw-away database ``civicflow_kpibench_<pid>`` on 127.0.0.1:5432 (dropped at the end) gets
``--cases`` demo cases per round (``civicflow.runtime.demo``, about 50 history events a case);
after each round the read models catch up (``civicflow.runtime.kpi_projection.catch_up``, batches
of 5,000) and the time is printed with the events applied. Then ``civicflow kpi report`` for the
whole period is timed. The issue's target: 10,000 new events in under 5 seconds. For that target
with a million history events, and the dashboard and transparency pages, see kpi_pages_bench.py.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    opts = parser.parse_args()

    import psycopg

    name = f"civicflow_kpibench_{os.getpid()}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    os.environ["CIVICFLOW_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicflow.site.settings"
    try:
        _run(opts.cases, opts.rounds)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(cases: int, rounds: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from civicflow.kpi import Period
    from civicflow.runtime.demo import load
    from civicflow.runtime.kpi_projection import catch_up
    from civicflow.runtime.models import HistoryEvent

    start = datetime(2025, 1, 6, tzinfo=UTC)
    for round_ in range(rounds):
        load(cases, rng=random.Random(round_), start=start, months=3)
        began = time.perf_counter()
        applied = catch_up()
        seconds = time.perf_counter() - began
        print(
            f"round {round_ + 1}: {applied:,} new events applied in {seconds:.2f} s "
            f"({applied / seconds:,.0f} events/s; history {HistoryEvent.objects.count():,} rows)"
        )

    from civicflow.services import REFERENCE_SERVICES
    from civicflow.web.kpis import service_kpis

    period = Period.parse("2025", clock=_Fixed())
    began = time.perf_counter()
    for service in REFERENCE_SERVICES:
        service_kpis(service, period)
    print(f"report of {len(REFERENCE_SERVICES)} services for 2025: {time.perf_counter() - began:.2f} s")


class _Fixed:
    def now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


if __name__ == "__main__":
    main()
