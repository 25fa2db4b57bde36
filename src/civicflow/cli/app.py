"""Root Typer application and the operational commands (serve, worker, deploy, manage)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from civicflow import __version__
from civicflow.cli import (
    assistant,
    audit,
    bpmn,
    demo,
    dmn,
    evidence,
    feel,
    gdpr,
    keys,
    kpi,
    mine,
    pilot,
    predict,
    simulate,
    token,
)
from civicflow.cli._common import EXIT_NOT_AVAILABLE, fail, setup_django
from civicflow.errors import CivicFlowError, NotAvailableError

__all__ = ["app", "main"]

app = typer.Typer(
    name="civicflow",
    help="CivicFlow: model, run, integrate and assess public-sector business processes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(bpmn.app, name="bpmn")
app.command(name="feel", help="Evaluate a FEEL expression.")(feel.feel)
app.add_typer(dmn.app, name="dmn")
app.add_typer(mine.app, name="mine")
app.add_typer(kpi.app, name="kpi")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(gdpr.app, name="gdpr")
app.add_typer(token.app, name="token")
app.add_typer(demo.app, name="demo")
app.add_typer(pilot.app, name="pilot")
app.add_typer(predict.app, name="predict")
app.add_typer(simulate.app, name="simulate")
app.add_typer(assistant.app, name="assistant")
app.add_typer(evidence.app, name="evidence")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"civicflow {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """CivicFlow command line."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.", min=1, max=65535)] = 8000,
    web_workers: Annotated[int, typer.Option("--web-workers", help="gunicorn worker processes.", min=1)] = 2,
    web_threads: Annotated[int, typer.Option("--web-threads", help="Threads per gunicorn worker.", min=1)] = 4,
    reference_services: Annotated[
        bool,
        typer.Option(
            "--reference-services/--no-reference-services",
            envvar="CIVICFLOW_REFERENCE_SERVICES",
            help="Deploy the reference services (building permit, tax refund, record transfer).",
        ),
    ] = True,
) -> None:
    """Migrate the database, deploy the reference services, then serve web + API next to one worker."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if reference_services:
        from civicflow.runtime.reference import deploy_reference_services

        for result in deploy_reference_services():
            for definition in result.processes:
                typer.echo(f"civicflow: {definition.process_id} version {definition.version} deployed", err=True)
    typer.echo(f"civicflow: serving on http://{host}:{port}/ (healthz at /healthz) with one worker", err=True)
    sys.stdout.flush()
    from civicflow.cli._serve import supervise

    gunicorn = [sys.executable, "-m", "gunicorn", "civicflow.site.wsgi:application"]
    gunicorn += ["--bind", f"{host}:{port}", "--workers", str(web_workers), "--access-logfile", "-"]
    gunicorn += ["-c", "python:civicflow.site.gunicorn_conf"]  # access log without query strings
    # Threaded workers keep connections alive (API clients reuse them instead of a TCP handshake
    # per request) and let one process overlap a request's database waits and long polls with
    # others' work: about one process per CPU with a few threads each suits a small machine.
    gunicorn += ["--worker-class", "gthread", "--threads", str(web_threads), "--keep-alive", "5"]
    worker_cmd = [sys.executable, "-m", "civicflow", "worker"]
    _prometheus_multiprocess_dir()
    raise typer.Exit(supervise(gunicorn, worker_cmd))


def _prometheus_multiprocess_dir() -> None:
    """Let /metrics add up the request histograms of every gunicorn process (docs/deployment.md).

    prometheus_client's multiprocess mode keeps one file per process in a folder that must be
    empty when the service starts; the children inherit the variable. An operator's own setting wins.
    """
    import os
    import shutil

    from django.conf import settings

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = settings.INSTANCE_DIR / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


@app.command()
def worker(
    *,
    concurrency: Annotated[int, typer.Option(help="Threads running jobs in this process (1 on SQLite).", min=1)] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Jobs claimed per transaction.", min=1)] = 32,
    poll_interval: Annotated[
        float, typer.Option("--poll-interval", help="Seconds between checks when no notification comes.", min=0.05)
    ] = 1.0,
    lock_seconds: Annotated[
        float, typer.Option("--lock-seconds", help="A claim older than this is taken over (dead worker).", min=1.0)
    ] = 300.0,
    handlers: Annotated[
        list[str] | None, typer.Option("--handlers", help="Python module registering job handlers (repeatable).")
    ] = None,
    max_jobs: Annotated[int | None, typer.Option("--max-jobs", help="Stop after this many jobs.", hidden=True)] = None,
    history_retention_days: Annotated[
        int | None,
        typer.Option(
            "--history-retention-days",
            envvar="CIVICFLOW_HISTORY_RETENTION_DAYS",
            help="Remove finished instances and their history after this many days (hourly).",
            min=1,
        ),
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish/--no-publish", help="Publish the outbox (CloudEvents, webhooks) between jobs.")
    ] = True,
    publisher: Annotated[
        bool, typer.Option("--publisher", help="Run only the outbox publisher and webhook deliveries, no jobs.")
    ] = False,
    consume: Annotated[
        list[str] | None,
        typer.Option("--consume", help="Correlate CloudEvents of this NATS subject to messages (repeatable)."),
    ] = None,
) -> None:
    """Run jobs: async continuations, timers, service calls (start more to scale out)."""
    from civicflow.cli._worker import run_worker

    raise typer.Exit(
        run_worker(
            concurrency=concurrency,
            batch_size=batch_size,
            poll_interval=poll_interval,
            lock_seconds=lock_seconds,
            handlers=handlers or [],
            max_jobs=max_jobs,
            history_retention_days=history_retention_days,
            publish=publish,
            publisher_only=publisher,
            consume=consume or [],
        )
    )


@app.command()
def deploy(
    paths: Annotated[list[Path], typer.Argument(help=".bpmn, .dmn and .form files.")],
    name: Annotated[str | None, typer.Option(help="Deployment name (default: the file names).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the deployed definitions as JSON.")] = False,
) -> None:
    """Deploy BPMN, DMN and form files together; a process gets a new version only when it changed."""
    from civicflow.cli._deploy import run_deploy

    raise typer.Exit(run_deploy(paths, name=name, json_output=json_output))


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    help="Run a Django management command (for operators), e.g. `civicflow manage createsuperuser`.",
)
def manage(ctx: typer.Context) -> None:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civicflow manage", *ctx.args])


def main() -> None:
    """Console entry point: map CivicFlow errors to a one-line message and an exit code.

    Usage errors and ``--help`` are handled by click itself (standalone mode, exit 2).
    """
    try:
        app()
    except NotAvailableError as exc:
        typer.echo(f"civicflow: {exc}", err=True)
        sys.exit(EXIT_NOT_AVAILABLE)
    except CivicFlowError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - anything unforeseen still ends in one line, never a traceback
        fail(f"{type(exc).__name__}: {exc}")
