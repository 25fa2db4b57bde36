"""Portal and workbench pages under load: 10,000 demo cases in PostgreSQL, 100 simulated users.

Run from the repository root (smoke run first, then the real one):

    .venv/bin/python bench/web_bench.py --cases 200 --duration 5
    .venv/bin/python bench/web_bench.py --cases 10000 --users 100 --duration 60

1. A throw-away database ``civicflow_bench_<pid>`` on 127.0.0.1:5432 (user postgres), dropped at
   the end. ``civicflow demo load --cases N`` fills it through the real engine (running and
   finished cases, open tasks in the departments' queues).
2. Setup (Django, in a child process): staff accounts spread over the reference departments,
   each signed in once through ``django.contrib.auth.login`` (what a sign-in stores; the password
   hash is not what is measured), and a portal ``Application`` with a known reference and secret
   for every demo case, so status pages resolve real instances.
3. ``civicflow serve`` (gunicorn gthread workers + one ``civicflow worker``, DEBUG off), as in
   production. The demo's clock ended months ago, so the worker first fires the timers that fell
   due meanwhile; the load starts once that backlog is gone.
4. One load process (asyncio + httpx, one client and connection per user, 100 users): citizens
   loop over catalogue, a service's start page, the status lookup form, posting reference and
   secret, and their application's status page; caseworkers open the inbox with random filters,
   sorting and pages and then one of its tasks. Each user waits ``--think`` seconds (0.5x-1.5x)
   between pages. After ``--warmup`` seconds, ``--duration`` seconds are measured.

The figure is the server's own time from each response's ``Server-Timing: app;dur=`` header
(civicflow.web.middleware.ServerTimingMiddleware), p50/p95/p99 per page kind; client-side
latency, throughput and the CPU seconds of gunicorn, the worker, PostgreSQL and the load
generator are printed beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _http_load import (  # bench/ is on the path
    backends,
    bench_database,
    children,
    drain,
    drop_bench_database,
    pick,
    server_ms,
    wait_until_served,
)
from api_bench import _cpu_seconds, _free_port

HERE = Path(__file__).resolve().parent
CIVICFLOW = Path(sys.executable).with_name("civicflow")
KINDS = ("catalogue", "start", "lookup", "lookup-post", "application", "inbox", "task")
TARGET_MS = 150.0


# --- setup (runs inside Django) ----------------------------------------------------------------


def _setup(out: str, staff_count: int) -> None:
    """Role ``setup``: staff accounts with a signed-in session each, an Application per demo case."""
    import django

    django.setup()
    from django.contrib.auth import login
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.http import HttpRequest

    from civicflow.portal import _secrets
    from civicflow.portal._guides import GUIDES
    from civicflow.portal.models import Application
    from civicflow.runtime.models import ProcessDefinition, ProcessInstance, TaskCandidate
    from civicflow.services import REFERENCE_SERVICES

    # "citizen" is the applicant's lane in the models, not a department staff work in
    departments = [
        [dept.key, *sorted({role.group for role in dept.roles} - {dept.key})]
        for service in REFERENCE_SERVICES
        for dept in service.departments
        if dept.key != "citizen"
    ]
    password = make_password("a long enough password 42")  # one hash: sign-in cost is not measured
    sessions = []
    for i in range(staff_count):
        user = User.objects.create(username=f"staff{i:03d}", password=password, is_staff=True)
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in departments[i % len(departments)]])
        request = HttpRequest()
        request.session = SessionStore()
        login(request, user, "django.contrib.auth.backends.ModelBackend")
        request.session.save()
        sessions.append(request.session.session_key)

    by_process = {guide.service.process_id: key for key, guide in GUIDES.items()}
    rows = ProcessInstance.objects.filter(parent__isnull=True).order_by("started", "id")
    applications, known = [], []
    for n, (pk, process_id, started) in enumerate(rows.values_list("pk", "definition__process_id", "started"), 1):
        service = by_process.get(process_id)
        if service is None:
            continue
        reference, secret = f"{GUIDES[service].prefix}-{started.year}-{n:06d}", _secrets.new_secret()
        known.append((reference, secret))
        # no address and not watching: the worker's notifier must not mail 10,000 made-up citizens
        applications.append(
            Application(
                reference=reference,
                service=service,
                instance_id=pk,
                secret_hash=_secrets.digest(secret),
                language="nl",
                created=started,
                watching=False,
            )
        )
    Application.objects.bulk_create(applications, batch_size=1000)
    queues = (
        TaskCandidate.objects.filter(kind=TaskCandidate.GROUP, task__state="created")
        .values("name")
        .annotate(n=Count("task_id"))
    )
    Path(out).write_text(
        json.dumps(
            {
                "applications": known,
                "sessions": sessions,
                "services": sorted(GUIDES),
                "process_ids": sorted(set(ProcessDefinition.objects.values_list("process_id", flat=True))),
                "queues": {row["name"]: row["n"] for row in queues},
            }
        )
    )


# --- load (asyncio + httpx) ---------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TASK_LINK = re.compile(r'href="/workbench/tasks/(\d+)"')


def _load(
    base: str, data_path: str, users: int, caseworkers: int, warmup: float, duration: float, think: float
) -> None:
    """Role ``load``: prints ``measuring`` and ``measured`` lines around the window, then a JSON line."""
    import asyncio
    import random

    import httpx

    data = json.loads(Path(data_path).read_text())
    rng = random.Random(7)  # a load simulation, not security
    samples: dict[str, list[tuple[float, float, int]]] = {kind: [] for kind in KINDS}
    window = [0.0, 0.0]  # set once every client exists
    stale = [0]

    async def hit(client: httpx.AsyncClient, kind: str, method: str, url: str, **kw: Any) -> httpx.Response:
        sent = time.monotonic()
        try:
            response = await client.request(method, url, **kw)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # the server closed an idle keep-alive connection as we reused it: a browser sends again
            stale[0] += 1
            sent = time.monotonic()
            response = await client.request(method, url, **kw)
        done = time.monotonic()
        if window[0] <= sent and done <= window[1]:
            samples[kind].append((server_ms(response), (done - sent) * 1000, response.status_code))
        return response

    class Done(Exception):  # noqa: N818 - not an error: the window closed
        pass

    async def pause() -> None:
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        if time.monotonic() >= window[1]:
            raise Done

    # one TLS context for all (unused over http, but each client would build its own: ~30 ms of CPU)
    tls = ssl.create_default_context()

    def client() -> httpx.AsyncClient:
        # one keep-alive connection per user, as a browser tab; Dutch for three in four
        jar = {"django_language": "nl" if rng.random() < 0.75 else "en"}
        return httpx.AsyncClient(
            base_url=base, cookies=jar, timeout=60, limits=httpx.Limits(max_connections=1), verify=tls
        )

    async def citizen(c: httpx.AsyncClient) -> None:
        async with c:
            await asyncio.sleep(rng.uniform(0, min(warmup, think * 2)))
            while time.monotonic() < window[1]:
                await hit(c, "catalogue", "GET", "/portal/")
                await pause()
                await hit(c, "start", "GET", f"/portal/{rng.choice(data['services'])}/")
                await pause()
                form = await hit(c, "lookup", "GET", "/portal/status/")
                token = _CSRF.search(form.text)
                await pause()
                reference, secret = rng.choice(data["applications"])
                posted = {
                    "reference": reference,
                    "secret": secret,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                }
                await hit(c, "lookup-post", "POST", "/portal/status/", data=posted)
                await pause()
                await hit(c, "application", "GET", f"/portal/applications/{reference}/")
                await pause()

    async def caseworker(c: httpx.AsyncClient, session: str) -> None:
        async with c:
            c.cookies.set("sessionid", session)
            await asyncio.sleep(rng.uniform(0, min(warmup, think * 2)))
            while time.monotonic() < window[1]:
                query = {
                    "service": rng.choice(["", "", *data["process_ids"]]),
                    "status": rng.choice(["", "", "unclaimed", "claimed"]),
                    "priority": rng.choice(["", "", "", "high", "low"]),
                    "sort": rng.choice(["due", "priority", "created"]),
                    "page": rng.choice([1, 1, 1, 2, 3, 10]),
                }
                inbox = await hit(c, "inbox", "GET", "/workbench/", params={k: v for k, v in query.items() if v})
                await pause()
                tasks = _TASK_LINK.findall(inbox.text)
                if tasks:
                    await hit(c, "task", "GET", f"/workbench/tasks/{rng.choice(tasks)}")
                    await pause()

    async def until_done(user: Any) -> None:
        with contextlib.suppress(Done):
            await user

    async def main() -> None:
        sessions = data["sessions"]
        clients = [client() for _ in range(users)]
        began = time.monotonic()
        window[:] = [began + warmup, began + warmup + duration]
        runs = [until_done(caseworker(clients[i], sessions[i % len(sessions)])) for i in range(caseworkers)]
        runs += [until_done(citizen(clients[i])) for i in range(caseworkers, users)]
        await asyncio.gather(*runs, watch())

    async def watch() -> None:
        await asyncio.sleep(max(0.0, window[0] - time.monotonic()))
        print("measuring", time.process_time(), flush=True)
        await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
        print("measured", time.process_time(), flush=True)

    asyncio.run(main())
    print(json.dumps({**samples, "stale": stale[0]}))


# --- the run -----------------------------------------------------------------------------------


def _report(samples: dict[str, list[list[float]]], duration: float) -> tuple[list[str], dict[str, Any]]:
    lines = [
        "| page | requests | errors | server p50 / p95 / p99 ms | client p50 / p95 / p99 ms | p95 < 150 ms |",
        "|---|---|---|---|---|---|",
    ]
    figures: dict[str, Any] = {}
    for kind in KINDS:
        rows = samples[kind]
        ok = [r for r in rows if r[2] < 400]
        server = sorted(r[0] for r in ok if r[0] >= 0)
        client = sorted(r[1] for r in ok)
        s = [pick(server, q) for q in (0.5, 0.95, 0.99)]
        c = [pick(client, q) for q in (0.5, 0.95, 0.99)]
        met = "yes" if s[1] < TARGET_MS else "**no**"
        figures[kind] = {"requests": len(rows), "errors": len(rows) - len(ok), "server": s, "client": c}
        lines.append(
            f"| {kind} | {len(rows):,} | {len(rows) - len(ok)} | {s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f} "
            f"| {c[0]:.1f} / {c[1]:.1f} / {c[2]:.1f} | {met} |"
        )
    total = sum(len(samples[k]) for k in KINDS)
    figures["rate"] = total / duration
    return lines, figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--caseworkers", type=int, default=40, help="of the users; the others are citizens")
    parser.add_argument("--staff", type=int, default=100, help="staff accounts created (caseworkers share them)")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a user waits between pages")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database (name printed) for --database")
    parser.add_argument("--prepare-only", action="store_true", help="fill and keep the database, measure nothing")
    parser.add_argument("--database", help="measure on this database from an earlier --keep run (kept)")
    parser.add_argument("--role", choices=("setup", "load"))
    parser.add_argument("args", nargs="*")
    opts = parser.parse_args()
    if opts.role == "setup":
        _setup(opts.args[0], opts.staff)
        return
    if opts.role == "load":
        base, data = opts.args
        _load(base, data, opts.users, min(opts.caseworkers, opts.users), opts.warmup, opts.duration, opts.think)
        return

    import psycopg

    name, folder, env = bench_database("civicflow_bench", "civicflow-webbench", opts.database)
    data = folder / "bench-data.json"
    server = None
    keep = opts.keep or opts.prepare_only or bool(opts.database)
    try:
        if not opts.database:
            print(
                f"load average {os.getloadavg()[0]:.2f}; demo load of {opts.cases:,} cases into {name} ...", flush=True
            )
            began = time.monotonic()
            demo = [str(CIVICFLOW), "demo", "load", "--cases", str(opts.cases), "--quiet"]
            print(subprocess.run(demo, env=env, check=True, capture_output=True, text=True).stdout.strip())
            print(f"  demo load took {time.monotonic() - began:.0f} s", flush=True)
            setup = [sys.executable, __file__, "--role", "setup", "--staff", str(opts.staff), str(data)]
            subprocess.run(setup, env=env, check=True)
        facts = json.loads(data.read_text())
        if opts.prepare_only:
            print(f"  prepared {name}: measure with --database {name}")
            return
        print(f"  {len(facts['applications']):,} applications, {len(facts['sessions'])} staff signed in; open tasks "
              f"per candidate group: {facts['queues']}", flush=True)  # fmt: skip
        # as a database in service would be: planner statistics current, no dead rows from the load
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname=name, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [str(CIVICFLOW), "serve", "--port", str(port), "--web-workers", str(opts.web_workers),
                 "--web-threads", str(opts.web_threads)]  # fmt: skip
        server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL)  # stdout: gunicorn's access log
        wait_until_served(base, server)
        began = time.monotonic()
        left = drain(name)
        print(f"  worker fired the overdue jobs in {time.monotonic() - began:.0f} s ({left} still due)", flush=True)
        web, worker = children(server.pid)
        load_avg = os.getloadavg()[0]
        print(
            f"load: {opts.users} users ({opts.caseworkers} caseworkers), think {opts.think:g} s, warm-up "
            f"{opts.warmup:g} s, measured {opts.duration:g} s; gunicorn {opts.web_workers} x {opts.web_threads}; "
            f"load average {load_avg:.2f}",
            flush=True,
        )
        load = subprocess.Popen(
            [sys.executable, __file__, "--role", "load", "--users", str(opts.users), "--caseworkers",
             str(opts.caseworkers), "--warmup", str(opts.warmup), "--duration", str(opts.duration),
             "--think", str(opts.think), base, str(data)],
            env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert load.stdout is not None
        cpu: dict[str, float] = {}
        for line in load.stdout:
            word, _, value = line.partition(" ")
            if word in ("measuring", "measured"):
                sign = -1 if word == "measuring" else 1
                for label, pids in (("gunicorn", [web]), ("worker", [worker]), ("postgres", backends(name))):
                    cpu[label] = cpu.get(label, 0.0) + sign * _cpu_seconds(pids)
                cpu["load generator"] = cpu.get("load generator", 0.0) + sign * float(value)
                if word == "measured":
                    load_avg_after = os.getloadavg()[0]
            else:
                samples = json.loads(line)
        if load.wait() != 0:
            raise SystemExit("the load process failed")
        lines, figures = _report(samples, opts.duration)
        print("\n".join(lines))
        print(
            f"  {figures['rate']:.1f} requests/s measured; {samples['stale']} requests sent again on a connection "
            f"the server had closed; load average at the end {load_avg_after:.2f}"
        )
        print("  CPU seconds in the measured window: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        if opts.json:
            figures |= {"cpu": cpu, "load_average": [load_avg, load_avg_after], "cases": opts.cases}
            Path(opts.json).write_text(json.dumps(figures, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        drop_bench_database(name, folder, keep=keep)


if __name__ == "__main__":
    main()
