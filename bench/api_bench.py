"""The REST API under load on PostgreSQL: start-instance over HTTP and external-task workers.

Run from the repository root:

    .venv/bin/python bench/api_bench.py [--rate 300] [--seconds 20] [--warmup 2] [--tasks 20000]
                                        [--web-workers 2] [--web-threads 2]

A throw-away database ``civicflow_apibench_<pid>`` on 127.0.0.1:5432 (dropped at the end), a
gunicorn server on a free loopback port, and load from separate processes:

- start-instance: one load process sends ``POST /api/v1/process-instances`` (a process that
  waits at a user task: one step transaction each) at a constant ``--rate`` for ``--warmup``
  seconds (not counted) and then ``--seconds``
  (open loop: a request is sent on schedule whether or not earlier ones returned); figures are
  the achieved rate and the p50/p99 latency of the answers.
- external tasks: ``--tasks`` instances of a one-service-task process (topic listed in
  ``CIVICFLOW_EXTERNAL_TOPICS``) are started in bulk; 4 processes run the
  ``civicflow.client.ExternalTaskWorker`` loop (fetch 50 at a time, report them in one batch
  complete request); the figure is completed tasks / wall time from the first fetch to the last
  completion.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CIVICFLOW = Path(sys.executable).with_name("civicflow")
TOPIC = "bench-lookup"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _load(url: str, token: str, rate: float, seconds: float, warmup: float) -> None:
    """Role ``load``: open-loop POSTs at ``rate``/s; prints a JSON line of figures.

    The generator shares the 2 CPUs with the server and PostgreSQL, so it must be cheap: 64
    keep-alive connections driven by one asyncio loop writing a prebuilt HTTP/1.1 request and
    reading the status line, headers and body (an httpx client per thread cost about 1.8 ms of
    CPU per request, a third of what the server spent). Connection ``i`` sends requests
    ``i, i + 64, ...`` each at its due time or, when its previous answer came late, right after it.

    The first ``warmup`` seconds run at the same rate but are not counted: the claim is a sustained
    rate, and a cold server's first requests (64 TCP connects, a database connection per thread,
    each worker compiling the model on its first start) otherwise decide the p99 on their own.
    """
    import asyncio
    from urllib.parse import urlsplit

    connections = 64
    latencies: list[float] = []
    errors = [0]
    start_at = time.monotonic() + 0.5
    warm = int(rate * warmup)
    total = warm + int(rate * seconds)
    served = [0]
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payload = json.dumps({"processId": "api_start"}).encode()
    request = (
        f"POST /api/v1/process-instances HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload

    async def answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        await reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers.get("connection", "").lower() == "close"

    async def run(index: int) -> None:
        stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for n in range(index, total, connections):
            due = start_at + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.monotonic()
            try:
                if stream is None:
                    stream = await asyncio.open_connection(host, port)
                stream[1].write(request)
                status, closing = await asyncio.wait_for(answer(stream[0]), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                status, closing = 0, True
            # from the send: a send the generator made late is its delay, not the server's
            took = time.monotonic() - max(due, began)
            served[0] += status == 201
            if n < warm:
                pass  # warm-up: not counted
            elif status == 201:
                latencies.append(took)
            else:
                errors[0] += 1
            if closing and stream is not None:
                stream[1].close()
                stream = None
        if stream is not None:
            stream[1].close()

    async def main() -> None:
        await asyncio.gather(*(run(i) for i in range(connections)))

    asyncio.run(main())
    elapsed = time.monotonic() - start_at - warm / rate
    cpu = time.process_time()
    latencies.sort()
    pick = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000 if latencies else 0.0  # noqa: E731
    print(
        json.dumps(
            {
                "ok": len(latencies),
                "served": served[0],  # with the warm-up: what the CPU figures are divided by
                "errors": errors[0],
                "rate": len(latencies) / elapsed,
                "p50": pick(0.5),
                "p99": pick(0.99),
                "cpu": cpu,
            }
        )
    )


def _work(url: str, token: str, index: int) -> None:
    """Role ``worker``: the client worker loop until no task comes for 2 s; prints its count and times."""
    from datetime import timedelta

    from civicflow.client import CivicFlowClient, ExternalTask, ExternalTaskWorker

    client = CivicFlowClient(url, token)
    worker = ExternalTaskWorker(client, worker_id=f"bench-{index}", max_tasks=50, wait=timedelta(seconds=2))

    @worker.topic(TOPIC, lock_duration=timedelta(minutes=5))
    def lookup(task: ExternalTask) -> dict[str, object]:
        return {"found": True}

    done, first, last = 0, 0.0, 0.0
    while True:
        began = time.time()
        ran = worker.run_once()
        if not ran:
            break
        first = first or began
        done += ran
        last = time.time()
    print(json.dumps({"done": done, "first": first, "last": last}))


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of ``pids`` and their children (Linux /proc): where the 2 CPUs went."""
    tick = os.sysconf("SC_CLK_TCK")
    seen, total, todo = set(), 0.0, list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except OSError:
            continue
    return total


def _postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip().startswith("postgres"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _env(url: str, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CIVICFLOW_DATABASE_URL": url,
        "CIVICFLOW_INSTANCE_DIR": str(folder),
        "CIVICFLOW_EXTERNAL_TOPICS": TOPIC,
        "CIVICFLOW_API_THROTTLE_RATE": "10000000/min",
        "CIVICFLOW_LOG_LEVEL": "WARNING",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=2, help="seconds at the rate before measuring")
    parser.add_argument("--web-workers", type=int, default=2)  # one per CPU
    parser.add_argument("--web-threads", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--role", choices=("load", "worker"))
    parser.add_argument("args", nargs="*")
    opts = parser.parse_args()
    if opts.role == "load":
        _load(opts.args[0], opts.args[1], float(opts.args[2]), float(opts.args[3]), float(opts.args[4]))
        return
    if opts.role == "worker":
        _work(opts.args[0], opts.args[1], int(opts.args[2]))
        return

    import psycopg

    name = f"civicflow_apibench_{os.getpid()}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    folder = Path(tempfile.mkdtemp(prefix="civicflow-apibench-"))
    env = _env(url, folder)
    server = None
    try:
        subprocess.run([str(CIVICFLOW), "manage", "migrate", "-v0"], env=env, check=True)
        models = [str(HERE / "api" / "wait.bpmn"), str(HERE / "api" / "external.bpmn")]
        subprocess.run([str(CIVICFLOW), "deploy", *models], env=env, check=True, stdout=subprocess.DEVNULL)
        made = subprocess.run(
            [str(CIVICFLOW), "token", "create", "bench", "--scope", "admin", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = json.loads(made.stdout)["token"]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "civicflow.site.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(opts.web_workers), "--log-level", "warning",
             # gthread keeps client connections alive (a sync worker closes each one, so every
             # request paid a TCP handshake); threads overlap one request's database waits with
             # another's Python work
             "--worker-class", "gthread", "--threads", str(opts.web_threads), "--keep-alive", "30",
             # imports (and the URLconf, see civicflow.site.wsgi) once in the master, before the fork
             "--preload"],
            env=env,
        )  # fmt: skip
        time.sleep(3)
        print(
            f"start-instance over HTTP: {opts.rate:g}/s for {opts.seconds:g} s after {opts.warmup:g} s of warm-up, "
            f"gunicorn {opts.web_workers} workers x {opts.web_threads} threads"
        )
        server_cpu, pg_cpu = _cpu_seconds([server.pid]), _cpu_seconds(_postgres_pids())
        load = subprocess.run(
            [
                sys.executable,
                __file__,
                "--role",
                "load",
                base,
                token,
                str(opts.rate),
                str(opts.seconds),
                str(opts.warmup),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(load.stdout)
        server_cpu = _cpu_seconds([server.pid]) - server_cpu
        pg_cpu = _cpu_seconds(_postgres_pids()) - pg_cpu  # every database of the cluster
        ok = max(figures["served"], 1)
        print(
            f"  CPU per start: server {server_cpu / ok * 1000:.2f} ms, PostgreSQL {pg_cpu / ok * 1000:.2f} ms, "
            f"load generator {figures['cpu'] / ok * 1000:.2f} ms"
        )
        print(
            f"  achieved {figures['rate']:.0f}/s, {figures['errors']} errors, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms (target 300/s, p99 < 100 ms)"
        )

        if opts.tasks <= 0:
            return
        print(f"external tasks: {opts.tasks} instances, 4 client worker processes")
        code = (
            "import django, os; django.setup();"
            "from civicflow.runtime import bulk, services;"
            f"d = services.definition_for('api_external');"
            f"[bulk.start_many(d, [{{}}] * 1000) for _ in range({opts.tasks} // 1000)]"
        )
        subprocess.run(
            [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "civicflow.site.settings"}, check=True
        )
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, "--role", "worker", base, token, str(i)],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(4)
        ]
        results = [json.loads(w.communicate()[0]) for w in workers]
        done = sum(r["done"] for r in results)
        span = max(r["last"] for r in results) - min(r["first"] for r in results if r["first"])
        print(f"  {done} tasks completed in {span:.1f} s: {done / span:.0f} tasks/s (target >= 1,000/s)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
