"""``civicflow evidence``: answer other agencies' evidence requests over NATS (docs/integration.md)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from civicflow.cli._common import fail, setup_django

__all__ = ["app"]

app = typer.Typer(help="Evidence exchange between agencies (once-only, with consent).", no_args_is_help=True)


@app.command()
def serve(
    agency: Annotated[
        str | None,
        typer.Option(help="This agency's name on the bus (default CIVICFLOW_EVIDENCE_AGENCY)."),
    ] = None,
) -> None:
    """Answer evidence requests for AGENCY until stopped (SIGINT/SIGTERM), from this installation's records."""
    setup_django()
    from civicflow.errors import CivicFlowError
    from civicflow.parties.evidence import exchange_settings
    from civicflow.parties.evidence_provider import serve as serve_requests
    from civicflow.parties.evidence_provider import sources

    try:
        settings = exchange_settings(agency)
    except CivicFlowError as exc:
        fail(str(exc))

    def ready(subject: str) -> None:
        names = ", ".join(sorted(sources()))
        typer.echo(f"answering evidence requests for {settings.agency} on {subject} ({names})")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve_requests(settings, stop=stop, ready=ready)

    try:
        asyncio.run(main())
    except OSError as exc:  # a refused connection, or none within the deadline (TimeoutError is an OSError)
        fail(f"cannot reach NATS at {settings.nats_url}: {str(exc) or 'no answer in time'}")
