"""The ``civicflow`` command: one entry point for users, operators and tests.

Every command prints a one-line error (never a traceback) and exits non-zero on bad input;
see :func:`main`.
"""

from __future__ import annotations

from civicflow.cli.app import app, main

__all__ = ["app", "main"]
