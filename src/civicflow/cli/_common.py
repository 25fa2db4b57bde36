"""Helpers shared by the command modules: errors, JSON output, Django start-up."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

import typer

from civicflow.errors import NotAvailableError

__all__ = ["EXIT_NOT_AVAILABLE", "EXIT_USAGE", "fail", "not_available", "print_json", "setup_django"]

EXIT_USAGE = 2
EXIT_NOT_AVAILABLE = 2


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``civicflow: error: MESSAGE`` on stderr and exit with ``code``."""
    one_line = " ".join(str(message).split())
    typer.echo(f"civicflow: error: {one_line}", err=True)
    sys.exit(code)


def not_available(what: str) -> NoReturn:
    raise NotAvailableError(f"'{what}' is not available yet")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicflow.site.settings")
    import django

    django.setup()
