"""KPI dashboards and transparency pages with a million history events in PostgreSQL (issue #10).

Run from the repository root (a smoke run first, then the real one):

    .venv/bin/python bench/kpi_pages_bench.py --cases 100 --events 20000 --requests 5
    .venv/bin/python bench/kpi_pages_bench.py --keep            # prints the database name
    .venv/bin/python bench/kpi_pages_bench.py --database civicflow_kpipages_123   # pages again

1. Seeding, in a throw-away database ``civicflow_kpipages_<pid>`` on 127.0.0.1:5432: the demo
   generator (``civicflow.runtime.demo``) runs ``--cases`` cases over the three months before
   today, through the real engine; web_bench's setup adds signed-in staff and a portal
   Application per case. Then the finished cases (root instance ended, with their called
   processes) are copied with SQL ``INSERT ... SELECT``: new instance ids (md5 of the old id and
   the copy's tag), times ``--shift-weeks`` earlier per copy, history rows in their original
   order, Applications with a tagged reference, until history holds ``--events`` rows. Last,
   satisfaction answers (3 in 10 finished applications), abandoned drafts (1 in 10) and paper
   cases (1 in 5 Applications removed) are added by hash of the reference, so every published
   figure has data.
2. Catch-up: ``kpi_projection.catch_up`` over the whole history (events/s), then three times
   10,000 new history events (a copy of the earliest finished cases, in history order) and the
   time to apply them; the median is held to the issue's target of 5 s.
3. Pages with their cached figures out of date, in this process (Django's test client): after
   one new history event (the dashboards' KPI snapshots one event behind the cursor, so open
   periods are computed again: what a page costs after each worker pass on a live system),
   and with no snapshots at all (after a deploy that changes a KPI definition).
4. Pages served: ``civicflow serve`` (gunicorn + one worker, DEBUG off). Each page of ``PAGES``
   is requested once (the first figure), ``--requests`` times in a row, then by ``--users``
   concurrent clients ``--rounds`` times each in random order. The figure is the server's own
   time (``Server-Timing: app;dur=``); p95 is held to 300 ms. A page whose URL answers 404 is
   reported as absent, so the benchmark runs against whatever pages exist. With ``--live S``
   history arrives meanwhile (a finished case copied to start now every S seconds), so the
   worker moves the KPI cursor and refreshes the dashboards' snapshots as on a live system.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _http_load import bench_database, drop_bench_database, pick, server_ms, wait_until_served  # bench/ on the path
from api_bench import _free_port

CIVICFLOW = Path(sys.executable).with_name("civicflow")
TARGET_MS = 300.0
CATCH_UP_TARGET_S = 5.0
SLICE_EVENTS = 10_000


@dataclass(frozen=True, slots=True)
class Page:
    """A page to measure: the first of ``paths`` that does not answer 404 is the one measured."""

    kind: str
    paths: tuple[str, ...]
    staff: bool = False


# The one list of pages. {service} is a reference service id, {department} one of its departments.
SERVICE, DEPARTMENT, KIND = "building_permit", "zoning", "month"
PAGES = (
    Page("dashboard", ("/workbench/kpi/?kind={kind}",), staff=True),
    Page("service", ("/workbench/kpi/{service}/?kind={kind}",), staff=True),
    Page("service-department", ("/workbench/kpi/{service}/?kind={kind}&department={department}",), staff=True),
    Page("transparency", ("/portal/transparency/", "/transparency/")),
    Page("transparency-service", ("/portal/transparency/{service}/", "/transparency/{service}/")),
    Page("open-data-json", ("/portal/transparency/{service}.json", "/transparency/{service}.json")),
    Page("open-data-csv", ("/portal/transparency/{service}.csv", "/transparency/{service}.csv")),
    Page("catalogue-jsonld", ("/portal/transparency/catalog.jsonld", "/transparency/catalog.jsonld")),
)


# --- seeding (Django and SQL in this process) --------------------------------------------------


def _columns(cur: Any, table: str) -> list[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_default IS DISTINCT "
        "FROM 'nextval(''' || %s || '_id_seq''::regclass)' AND is_identity = 'NO' ORDER BY ordinal_position",
        [table, table],
    )
    return [row[0] for row in cur.fetchall()]


def _copy(cur: Any, table: str, overrides: dict[str, str], rest: str, params: dict[str, Any]) -> int:
    """``INSERT INTO table SELECT`` every column (``overrides`` for some) ``FROM table s`` + ``rest``."""
    columns = _columns(cur, table)
    exprs = [overrides.get(column, f"s.{column}") for column in columns]
    cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {table} s {rest}", params)
    return int(cur.rowcount)


_NEW_ID = "md5({column}::text || %(tag)s)::uuid"
_TAGGED = "CASE WHEN s.{column} IS NULL THEN NULL ELSE s.{column} || %(tag)s END"


def _copy_cases(cur: Any, tag: str, shift: timedelta, where: str, params: dict[str, Any], limit: int | None) -> int:
    """Copy the instances picked by ``where`` (on ``kpibench_tree t``), their history and Applications."""
    params = {**params, "tag": tag, "shift": shift, "base_max": _base_max(cur)}
    instances = {
        "id": _NEW_ID.format(column="s.id"),
        "parent_id": f"CASE WHEN s.parent_id IS NULL THEN NULL ELSE {_NEW_ID.format(column='s.parent_id')} END",
        "business_key": _TAGGED.format(column="business_key"),
        "idempotency_key": _TAGGED.format(column="idempotency_key"),
        "started": "s.started - %(shift)s",
        "ended": "s.ended - %(shift)s",
    }
    _copy(cur, "runtime_processinstance", instances, f"JOIN kpibench_tree t ON t.id = s.id WHERE {where}", params)
    history = {"instance_id": _NEW_ID.format(column="s.instance_id"), "timestamp": "s.timestamp - %(shift)s"}
    rows = _copy(
        cur,
        "runtime_historyevent",
        history,
        f"JOIN kpibench_tree t ON t.id = s.instance_id WHERE s.id <= %(base_max)s AND {where} ORDER BY s.id"
        + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    )
    applications = {
        "reference": "s.reference || '-' || %(tag)s",
        "instance_id": _NEW_ID.format(column="s.instance_id"),
        "created": "s.created - %(shift)s",
    }
    _copy(
        cur, "portal_application", applications, f"JOIN kpibench_tree t ON t.id = s.instance_id WHERE {where}", params
    )
    return rows


def _base_max(cur: Any) -> int:
    cur.execute("SELECT last_id FROM kpibench_base")
    return int(cur.fetchone()[0])


def _seed(cases: int, events: int, shift_weeks: int, data: Path, staff: int) -> dict[str, Any]:
    """Demo cases through the engine, then SQL copies of the finished ones until history holds ``events`` rows."""
    from django.core.management import call_command
    from django.db import connection, transaction

    import web_bench
    from civicflow.runtime.demo import load

    call_command("migrate", verbosity=0)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    began = time.monotonic()
    shown = [0]

    def progress(hours: int, total: int) -> None:
        if hours * 10 // total > shown[0]:
            shown[0] = hours * 10 // total
            print(f"  demo load {shown[0] * 10}% ({time.monotonic() - began:.0f} s)", flush=True)

    result = load(cases, rng=random.Random(1), start=today - timedelta(days=100), months=3, progress=progress)
    print(
        f"  demo load: {result.cases:,} cases ({result.completed:,} completed), {result.history_rows:,} history rows, "
        f"{result.first:%Y-%m-%d} .. {result.last:%Y-%m-%d}, {time.monotonic() - began:.0f} s",
        flush=True,
    )
    web_bench._setup(str(data), staff)  # signed-in staff sessions, an Application per case
    with connection.cursor() as cur:
        _case_tables(cur)
        cur.execute("SELECT count(*) FROM runtime_historyevent")
        total = int(cur.fetchone()[0])
        copy = 0
        while total < events:
            copy += 1
            t0 = time.monotonic()
            with transaction.atomic():
                total += _copy_cases(cur, f"c{copy}", timedelta(weeks=shift_weeks * copy), "t.finished", {}, None)
            print(f"  copy {copy}: history {total:,} rows ({time.monotonic() - t0:.1f} s)", flush=True)
        _portal_extras(cur)
    return {"copies": copy, "base_cases": result.cases, "base_history": result.history_rows}


def _case_tables(cur: Any) -> None:
    """``kpibench_base``: the last history id copies are made from; ``kpibench_tree``: each instance with its case."""
    cur.execute(
        "CREATE UNLOGGED TABLE IF NOT EXISTS kpibench_base AS"
        " SELECT coalesce(max(id), 0) AS last_id FROM runtime_historyevent"
    )
    # each instance with its case's root; a case is copied whole, and only once it has finished
    cur.execute(
        "CREATE UNLOGGED TABLE IF NOT EXISTS kpibench_tree AS WITH RECURSIVE t(id, root) AS ("
        " SELECT id, id FROM runtime_processinstance WHERE parent_id IS NULL"
        " UNION ALL SELECT c.id, t.root FROM runtime_processinstance c JOIN t ON c.parent_id = t.id)"
        " SELECT t.id, t.root, r.ended IS NOT NULL AS finished, r.started AS root_started"
        " FROM t JOIN runtime_processinstance r ON r.id = t.root"
    )
    cur.execute("CREATE UNIQUE INDEX IF NOT EXISTS kpibench_tree_id ON kpibench_tree (id)")


class _Live(threading.Thread):
    """History arriving while pages are served: every ``every`` seconds one finished case is copied
    to start now (about 55 events; its later events lie in the coming days). The worker applies
    them, moving the KPI cursor, as on a live system."""

    def __init__(self, every: float) -> None:
        super().__init__(daemon=True)
        self.every, self.stop, self.events = every, threading.Event(), 0

    def run(self) -> None:
        from django.db import connection, transaction

        try:
            with connection.cursor() as cur:
                _case_tables(cur)
                cur.execute(
                    "SELECT root, min(root_started) FROM kpibench_tree WHERE finished AND root_started > now() - "
                    "interval '100 days' GROUP BY root ORDER BY md5(root::text) LIMIT 1000"
                )
                roots = cur.fetchall()
                for n, (root, started) in enumerate(roots):
                    if self.stop.wait(self.every):
                        break
                    tag = f"l{os.getpid()}x{n}"
                    shift = started - datetime.now(UTC)  # subtracted: the copy starts now
                    with transaction.atomic():
                        self.events += _copy_cases(cur, tag, shift, "t.root = %(root)s", {"root": root}, None)
        finally:
            connection.close()


def _portal_extras(cur: Any) -> None:
    """Satisfaction answers, abandoned drafts and paper cases, chosen by a hash of the reference."""
    cur.execute(
        "INSERT INTO portal_satisfactionresponse (service, reference, score, comment, language, answered_at)"
        " SELECT a.service, a.reference, (ARRAY[1, 2, 3, 3, 4, 4, 4, 5, 5, 5])[1 + abs(hashtext(a.reference)) % 10],"
        " '', 'nl', p.ended + interval '2 hours' FROM portal_application a"
        " JOIN runtime_processinstance p ON p.id = a.instance_id"
        " WHERE p.ended IS NOT NULL AND abs(hashtext(a.reference || 'answer')) % 10 < 3"
    )
    cur.execute(
        "INSERT INTO portal_draft (id, service, data, email, token_hash, language, created, expires)"
        " SELECT md5(a.reference || 'draft')::uuid, a.service, '{}', '', encode(sha256(a.reference::bytea), 'hex'),"
        " 'nl', a.created - interval '3 days', a.created + interval '27 days' FROM portal_application a"
        " WHERE abs(hashtext(a.reference || 'draft')) % 10 = 0"
    )
    cur.execute("DELETE FROM portal_application WHERE abs(hashtext(reference || 'paper')) % 5 = 0")


def _slice_roots(cur: Any, events: int) -> list[str]:
    """The earliest finished cases whose history together holds at least ``events`` rows."""
    cur.execute(
        "SELECT t.root, count(*) FROM runtime_historyevent h JOIN kpibench_tree t ON t.id = h.instance_id"
        " WHERE t.finished AND h.id <= (SELECT last_id FROM kpibench_base)"
        " GROUP BY t.root, t.root_started ORDER BY t.root_started, t.root"
    )
    roots, total = [], 0
    for root, count in cur.fetchall():
        roots.append(str(root))
        total += count
        if total >= events:
            break
    return roots


def _catch_up(rounds: int) -> dict[str, Any]:
    """The whole history through the projection, then ``rounds`` x 10,000 new events each timed."""
    from django.db import connection, transaction

    from civicflow.runtime.kpi_projection import catch_up

    began = time.perf_counter()
    applied = catch_up()
    seconds = time.perf_counter() - began
    print(f"  catch-up of the whole history: {applied:,} events in {seconds:.1f} s ({applied / seconds:,.0f}/s)")
    figures: dict[str, Any] = {"full": {"events": applied, "seconds": seconds}, "slices": []}
    with connection.cursor() as cur:
        roots = _slice_roots(cur, SLICE_EVENTS)
        for round_ in range(1, rounds + 1):
            with transaction.atomic():
                rows = _copy_cases(cur, f"n{round_}", timedelta(0), "t.root = ANY(%(roots)s::uuid[])",
                                   {"roots": roots}, SLICE_EVENTS)  # fmt: skip
            with connection.cursor() as vac:
                vac.execute("ANALYZE runtime_historyevent")
            began = time.perf_counter()
            applied = catch_up()
            seconds = time.perf_counter() - began
            figures["slices"].append({"inserted": rows, "applied": applied, "seconds": seconds})
            print(f"  {rows:,} new events: caught up in {seconds:.2f} s ({applied:,} applied)", flush=True)
    figures["median_s"] = statistics.median(s["seconds"] for s in figures["slices"])
    return figures


def _counts() -> dict[str, int]:
    from django.db import connection

    tables = ("runtime_historyevent", "runtime_processinstance", "runtime_kpicase", "runtime_kpistage",
              "runtime_kpitask", "runtime_kpiincident", "portal_application", "portal_satisfactionresponse",
              "portal_draft")  # fmt: skip
    with connection.cursor() as cur:
        found = {}
        for table in tables:
            cur.execute(f"SELECT count(*) FROM {table}")
            found[table] = int(cur.fetchone()[0])
        cur.execute("SELECT min(timestamp), max(timestamp) FROM runtime_historyevent")
        first, last = cur.fetchone()
    print(
        "  rows: "
        + ", ".join(f"{k} {v:,}" for k, v in found.items())
        + f"; history {first:%Y-%m-%d} .. {last:%Y-%m-%d}"
    )
    return found


# --- pages (httpx against civicflow serve) ------------------------------------------------------


def _resolve(client: Any, staff: Any) -> dict[str, tuple[str, float, int]]:
    """Each page's URL, its first (cold) server time and status; pages answering 404 everywhere are left out."""
    found = {}
    for page in PAGES:
        for template in page.paths:
            path = template.format(service=SERVICE, department=DEPARTMENT, kind=KIND)
            response = (staff if page.staff else client).get(path)
            if response.status_code != 404:
                found[page.kind] = (path, server_ms(response), response.status_code)
                break
        else:
            print(f"  {page.kind}: absent (404 at {', '.join(page.paths)})", flush=True)
    return found


def _uncached(session: str, times: int, moved: int) -> dict[str, dict[str, list[float]]]:
    """Each page with its cached figures out of date, in this process (Django's test client).

    ``moved``: as after one new history event, the dashboards' snapshots one event behind the KPI
    cursor (open periods are computed again, closed ones kept: what a live system shows after
    each worker pass). ``cold``: every snapshot gone (after a deploy that changes a definition,
    or a late event in every period), ``times`` each. Django's per-process cache (LocMem) is
    emptied before both.
    """
    from django.core.cache import cache
    from django.test import Client

    public, staff = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    staff.cookies["sessionid"] = session
    found: dict[str, dict[str, list[float]]] = {}
    for kind, (path, _first, _status) in _resolve(public, staff).items():
        found[kind] = {"moved": [], "cold": []}
        client = staff if next(p for p in PAGES if p.kind == kind).staff else public
        client.get(path)  # every snapshot the page reads exists and is current
        for phase, count in (("moved", moved), ("cold", times)):
            for _ in range(count):
                cache.clear()
                _snapshots(drop=phase == "cold")
                response = client.get(path)
                found[kind][phase].append(server_ms(response) if response.status_code < 400 else float("nan"))
    return found


def _snapshots(*, drop: bool) -> None:
    """Drop the dashboards' KPI snapshots, or put them one history event behind the cursor.

    Behind also means computed longer ago than ``REFRESH_EVERY`` (if civicflow.web.kpis has it:
    while history keeps coming in, open periods are recomputed at most that often).
    """
    from django.apps import apps
    from django.db.models import F

    from civicflow.web import kpis

    with contextlib.suppress(LookupError):  # no dashboard cache in this version
        rows = apps.get_model("civicflow_web", "KpiSnapshot").objects.all()
        if drop:
            rows.delete()
        else:
            ago = getattr(kpis, "REFRESH_EVERY", timedelta(0)) + timedelta(seconds=1)
            rows.update(last_id=F("last_id") - 1, computed=F("computed") - ago)


def _measure(base: str, session: str, requests: int, users: int, rounds: int) -> dict[str, Any]:
    import httpx

    def client(*, staff: bool) -> httpx.Client:
        jar = {"django_language": "en", **({"sessionid": session} if staff else {})}
        return httpx.Client(base_url=base, cookies=jar, timeout=120)

    public, staff = client(staff=False), client(staff=True)
    urls = _resolve(public, staff)
    samples: dict[str, dict[str, list[tuple[float, float, int]]]] = {k: {"seq": [], "conc": []} for k in urls}
    lock = threading.Lock()

    def hit(c: httpx.Client, kind: str, phase: str) -> None:
        sent = time.perf_counter()
        response = c.get(urls[kind][0])
        record = (server_ms(response), (time.perf_counter() - sent) * 1000, response.status_code)
        with lock:
            samples[kind][phase].append(record)

    staff_kinds = {p.kind for p in PAGES if p.staff}
    for kind in urls:
        for _ in range(requests):
            hit(staff if kind in staff_kinds else public, kind, "seq")

    def user(n: int) -> None:
        rng = random.Random(n)
        mine = {True: client(staff=True), False: client(staff=False)}
        for _ in range(rounds):
            order = list(urls)
            rng.shuffle(order)
            for kind in order:
                hit(mine[kind in staff_kinds], kind, "conc")
        for c in mine.values():
            c.close()

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    public.close()
    staff.close()
    return {"urls": urls, "samples": samples}


def _report(measured: dict[str, Any], uncached: dict[str, dict[str, list[float]]]) -> tuple[list[str], dict[str, Any]]:
    head = "| page | URL | after a new event: median / max ms | no snapshots: median / max ms | first ms | requests"
    lines = [
        head + " | errors | sequential p50 / p95 ms | concurrent p50 / p95 ms | max ms (over 300) | client p95 ms"
        " | p95 < 300 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    figures: dict[str, Any] = {}
    for kind, (path, first, status) in measured["urls"].items():
        phases = measured["samples"][kind]
        everything = phases["seq"] + phases["conc"]
        errors = sum(1 for r in everything if r[2] >= 400)
        seq = sorted(r[0] for r in phases["seq"] if r[2] < 400)
        conc = sorted(r[0] for r in phases["conc"] if r[2] < 400)
        client = sorted(r[1] for r in everything if r[2] < 400)
        served = [r[0] for r in everything if r[2] < 400]
        slowest, over = max(served, default=float("nan")), sum(1 for ms in served if ms >= TARGET_MS)
        worst = max(pick(seq, 0.95), pick(conc, 0.95)) if seq and conc else float("nan")
        met = "yes" if worst < TARGET_MS else "**no**"
        moved, cold = uncached.get(kind, {}).get("moved", []), uncached.get(kind, {}).get("cold", [])
        figures[kind] = {
            "url": path,
            "after_new_event_ms": moved,
            "no_snapshots_ms": cold,
            "first_ms": first,
            "first_status": status,
            "requests": len(everything),
            "errors": errors,
            "sequential": [pick(seq, 0.5), pick(seq, 0.95)],
            "concurrent": [pick(conc, 0.5), pick(conc, 0.95)],
            "max": slowest,
            "over_target": over,
            "client_p95": pick(client, 0.95),
        }
        lines.append(
            f"| {kind} | `{path}` | {_median_max(moved)} | {_median_max(cold)} | {first:.0f} ({status}) "
            f"| {len(everything)} | {errors} "
            f"| {pick(seq, 0.5):.1f} / {pick(seq, 0.95):.1f} | {pick(conc, 0.5):.1f} / {pick(conc, 0.95):.1f} "
            f"| {slowest:.0f} ({over}) | {pick(client, 0.95):.1f} | {met} |"
        )
    return lines, figures


def _median_max(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} / {max(values):.0f}" if values else "-"


def _serve(name: str, env: dict[str, str], opts: argparse.Namespace, session: str) -> dict[str, Any]:
    from _http_load import drain

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [str(CIVICFLOW), "serve", "--port", str(port), "--web-workers", str(opts.web_workers),
             "--web-threads", str(opts.web_threads)]  # fmt: skip
    print(f"  uncached: each page {opts.moved} times one event behind, {opts.cold} times with no snapshots", flush=True)
    uncached = _uncached(session, opts.cold, opts.moved)
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL)  # stdout: gunicorn's access log
    try:
        wait_until_served(base, server)
        began = time.monotonic()
        left = drain(name)
        print(f"  worker fired the overdue jobs in {time.monotonic() - began:.0f} s ({left} still due)", flush=True)
        live = _Live(opts.live) if opts.live else None
        if live is not None:
            live.start()
            time.sleep(3 * opts.live)  # the worker has applied some and the cursor moves
        load_before = os.getloadavg()
        measured = _measure(base, session, opts.requests, opts.users, opts.rounds)
        load_after = os.getloadavg()
        if live is not None:
            live.stop.set()
            live.join()
            print(f"  live history: {live.events:,} events arrived while serving", flush=True)
            measured["live_events"] = live.events
    finally:
        server.terminate()
        server.wait(timeout=60)
    lines, figures = _report(measured, uncached)
    print("\n".join(lines))
    print(f"  load average (1/5/15 min) before {_load(load_before)}, after {_load(load_after)}")
    return {"pages": figures, "load_average": [load_before, load_after], "live_events": measured.get("live_events", 0)}


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000, help="demo cases made by the engine (the base)")
    parser.add_argument("--events", type=int, default=1_000_000, help="history rows to reach by copying")
    parser.add_argument("--shift-weeks", type=int, default=13, help="how much earlier each copy is")
    parser.add_argument("--rounds-catch-up", type=int, default=3, help="times 10,000 new events are caught up")
    parser.add_argument("--requests", type=int, default=50, help="sequential requests per page")
    parser.add_argument("--users", type=int, default=4, help="concurrent clients after the sequential requests")
    parser.add_argument("--rounds", type=int, default=10, help="each concurrent client's requests per page")
    parser.add_argument("--moved", type=int, default=5, help="requests per page with snapshots one event behind")
    parser.add_argument("--cold", type=int, default=3, help="requests per page with no snapshots")
    parser.add_argument("--live", type=float, default=0, help="seconds between cases arriving while served (0: none)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database (name printed) for --database")
    parser.add_argument("--prepare-only", action="store_true", help="seed and catch up, keep, measure no pages")
    parser.add_argument("--database", help="measure the pages on this database from an earlier --keep run (kept)")
    opts = parser.parse_args()
    if min(opts.cases, opts.rounds_catch_up, opts.requests, opts.users, opts.rounds) < 1:
        parser.error("--cases, --rounds-catch-up, --requests, --users and --rounds must be at least 1")

    import psycopg

    name, folder, env = bench_database("civicflow_kpipages", "civicflow-kpipages", opts.database)
    data = folder / "bench-data.json"
    os.environ.update(env)
    keep = opts.keep or opts.prepare_only or bool(opts.database)
    figures: dict[str, Any] = {"database": name, "load_average_start": os.getloadavg()}
    try:
        import django

        django.setup()
        if not opts.database:
            print(f"load average {_load(os.getloadavg())}; seeding {name} ...", flush=True)
            figures["seed"] = _seed(opts.cases, opts.events, opts.shift_weeks, data, staff=2)
            with psycopg.connect(host="127.0.0.1", user="postgres", dbname=name, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            print(f"catch-up (load average {_load(os.getloadavg())}):", flush=True)
            figures["catch_up"] = _catch_up(opts.rounds_catch_up)
            with psycopg.connect(host="127.0.0.1", user="postgres", dbname=name, autocommit=True) as conn:
                conn.execute("DROP TABLE kpibench_tree, kpibench_base")
                conn.execute("VACUUM ANALYZE")
            verdict = "met" if figures["catch_up"]["median_s"] < CATCH_UP_TARGET_S else "NOT met"
            inserted = figures["catch_up"]["slices"][0]["inserted"] if figures["catch_up"]["slices"] else 0
            print(f"  median {figures['catch_up']['median_s']:.2f} s for {inserted:,} events: target < 5 s {verdict}")
        figures["rows"] = _counts()
        from django.db import connections

        connections.close_all()
        if opts.prepare_only:
            print(f"  prepared {name}: measure with --database {name}")
            return
        session = json.loads(data.read_text())["sessions"][0]
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # as civicflow serve will: the uncached requests run first
        print(f"pages ({opts.requests} sequential, then {opts.users} clients x {opts.rounds} each):", flush=True)
        figures |= _serve(name, env, opts, session)
        if opts.json:
            Path(opts.json).write_text(json.dumps(figures, indent=2, default=str))
    finally:
        from django.db import connections

        connections.close_all()
        drop_bench_database(name, folder, keep=keep)


if __name__ == "__main__":
    main()
