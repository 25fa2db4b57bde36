"""The durable runtime under load: worker processes, a load generator, a real database.

Run from the repository root:

    .venv/bin/python bench/runtime_bench.py [--db postgres|sqlite|both] [--workers 2] [--count 6000]

Each database gets a throw-away store (PostgreSQL: database ``civicflow_bench_<pid>`` on
127.0.0.1:5432, dropped at the end; SQLite: a file in a temporary folder). ``--workers``
``civicflow worker`` processes run the jobs (one on SQLite); this process is the load generator
and starts instances in batches (``civicflow.runtime.bulk.start_many``). Figures:

- max rate: instances started as fast as possible; completed instances / (last end - first start)
- p50/p99 latency: instances started at half the max rate for ``--latency-seconds``; end - start
- bytes per finished instance: instance, history, job and outbox tables with indexes and TOAST
  (PostgreSQL ``pg_total_relation_size``; SQLite: the file size) / finished instances
- timer lateness: 1,000 timers due within one minute; time fired - time due, p50/p99
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE / "runtime"
CIVICFLOW = Path(sys.executable).with_name("civicflow")
TABLES = ("runtime_processinstance", "runtime_historyevent", "runtime_job", "runtime_outbox")


@dataclass
class Figures:
    database: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, what: str, value: str, target: str) -> None:
        self.rows.append((what, value, target))
        print(f"  {what:<46} {value:>14}   (target {target})", flush=True)


@contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="civicflow-bench-"))
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"civicflow_bench_{os.getpid()}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _setup_django(url: str, folder: Path) -> None:
    os.environ["CIVICFLOW_DATABASE_URL"] = url
    os.environ["CIVICFLOW_INSTANCE_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicflow.site.settings"
    env = dict(os.environ)
    subprocess.run([str(CIVICFLOW), "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [str(CIVICFLOW), "deploy", *(str(p) for p in sorted(MODELS.glob("*.bpmn")))],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    import django

    django.setup()
    # settings were read at import; point them at this run's database
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"].update(dj_database_url.parse(url))
    connections.close_all()


@contextmanager
def _workers(n: int, log: Path) -> Iterator[None]:
    env = {**os.environ, "CIVICFLOW_LOG_LEVEL": "WARNING"}
    args = [str(CIVICFLOW), "worker", "--batch-size", "64", "--poll-interval", "0.5"]
    with log.open("ab") as out:
        procs = [subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT) for _ in range(n)]
    time.sleep(1.5)  # imports and the first connection
    try:
        yield
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)


def _wait_done(timeout: float) -> None:
    from django.db import OperationalError, connection

    from civicflow.runtime.models import ProcessInstance

    deadline = time.monotonic() + timeout
    while True:
        try:
            if not ProcessInstance.objects.filter(status="active").exists():
                return
        except OperationalError:  # the shared server restarted (another run's fault test): ask again
            connection.close()
        if time.monotonic() > deadline:
            raise SystemExit("instances did not finish in time: is a worker failing? see the worker log")
        time.sleep(0.05)


def _max_rate(process_id: str, count: int, batch: int) -> float:
    from django.db.models import Max, Min

    from civicflow.runtime import bulk, services
    from civicflow.runtime.models import ProcessInstance

    definition = services.definition_for(process_id)
    ids = []
    for offset in range(0, count, batch):
        ids += bulk.start_many(definition, [{}] * min(batch, count - offset))
    _wait_done(300)
    span = ProcessInstance.objects.filter(pk__in=ids).aggregate(first=Min("started"), last=Max("ended"))
    return count / (span["last"] - span["first"]).total_seconds()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latency(process_id: str, rate: float, seconds: float) -> tuple[float, float, int]:
    from civicflow.runtime import bulk, services
    from civicflow.runtime.models import ProcessInstance

    definition = services.definition_for(process_id)
    tick = 0.02  # a batch every 20 ms: as smooth as separate requests, but one commit each
    ids: list[object] = []
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:
        n = int(rate * elapsed) - len(ids)  # catch up on whatever the last batch took
        if n > 0:
            ids += bulk.start_many(definition, [{}] * n)
        time.sleep(tick)
    _wait_done(60)
    spans = ProcessInstance.objects.filter(pk__in=ids).values_list("started", "ended")
    ms = [(end - start).total_seconds() * 1000 for start, end in spans]
    return _percentile(ms, 0.5), _percentile(ms, 0.99), len(ms)


def _bytes_per_instance(kind: str, url: str) -> float:
    from django.db import connection

    from civicflow.runtime.models import ProcessInstance

    finished = ProcessInstance.objects.exclude(status="active").count()
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
        return path.stat().st_size / finished
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT sum(pg_total_relation_size(t)) FROM unnest(%s::text[]) AS t", [list(TABLES)])
        return float(cursor.fetchone()[0]) / finished


def _timers(count: int, spread: float) -> tuple[float, float, float]:
    from datetime import datetime

    from civicflow.runtime import bulk, services
    from civicflow.runtime.models import HistoryEvent

    definition = services.definition_for("timer")
    # due 5 s from now onwards (time to start them all), spread evenly over ``spread`` seconds
    ids = bulk.start_many(definition, [{"wait": f"PT{5 + spread * i / count:.3f}S"} for i in range(count)])
    _wait_done(spread + 60)
    due = {
        i: datetime.fromisoformat(p["due"])
        for i, p in HistoryEvent.objects.filter(instance_id__in=ids, type="TimerScheduled").values_list(
            "instance_id", "payload"
        )
    }
    fired = HistoryEvent.objects.filter(instance_id__in=ids, type="TimerFired").values_list("instance_id", "timestamp")
    late = [(at - due[i]).total_seconds() * 1000 for i, at in fired]
    return _percentile(late, 0.5), _percentile(late, 0.99), max(late)


def run(kind: str, workers: int, count: int, latency_seconds: float, timers: bool) -> Figures:
    figures = Figures(kind)
    print(f"\n{kind}: {workers} worker process(es)", flush=True)
    with _database(kind) as url, tempfile.TemporaryDirectory() as folder:
        _setup_django(url, Path(folder))
        log = Path(folder) / "workers.log"
        try:
            with _workers(workers, log):
                one = _max_rate("one_task", count, 200)
                figures.add(
                    "one-service-task instances/s (max)", f"{one:,.0f}", ">= 500" if kind != "sqlite" else ">= 200"
                )
                size = _bytes_per_instance(kind, url)
                figures.add("database bytes per finished instance", f"{size:,.0f}", "<= 10,240")
                if kind == "sqlite":
                    return figures
                ten = _max_rate("ten_tasks", max(count // 5, 500), 100)
                figures.add("ten-service-task instances/s (max)", f"{ten:,.0f}", ">= 100")
                p50, p99, n = _latency("one_task", one / 2, latency_seconds)
                figures.add(
                    f"latency at {one / 2:,.0f}/s: p50 / p99 ms ({n} inst.)", f"{p50:.0f} / {p99:.0f}", "p99 < 250"
                )
                if timers:
                    t50, t99, tmax = _timers(1000, 60.0)
                    figures.add(
                        "timer lateness p50 / p99 / max ms (1,000/min)",
                        f"{t50:.0f} / {t99:.0f} / {tmax:.0f}",
                        "p99 < 1,000",
                    )
        except BaseException:
            sys.stdout.write(log.read_text()[-3000:])
            raise
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="worker processes on PostgreSQL (SQLite: 1)")
    parser.add_argument("--count", type=int, default=6000, help="one-task instances for the max rate")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--no-timers", action="store_true", help="skip the one-minute timer run")
    args = parser.parse_args()
    print(f"civicflow runtime benchmark on {os.cpu_count()} cores; python {sys.version.split()[0]}")
    kinds = ("postgres", "sqlite") if args.db == "both" else (args.db,)
    results = []
    for kind in kinds:
        # each database in a fresh interpreter: Django's settings are per process
        if len(kinds) > 1:
            cmd = [sys.executable, __file__, "--db", kind, "--workers", str(args.workers), "--count", str(args.count)]
            cmd += ["--latency-seconds", str(args.latency_seconds)] + (["--no-timers"] if args.no_timers else [])
            subprocess.run(cmd, check=True)
            continue
        workers = 1 if kind == "sqlite" else args.workers
        results.append(run(kind, workers, args.count, args.latency_seconds, not args.no_timers))


if __name__ == "__main__":
    main()
