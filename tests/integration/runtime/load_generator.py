"""Starts instances in a loop until a stop file appears, riding out database outages.

Run as a script by the fault tests: ``python load_generator.py PROCESS STOP_FILE STARTED_FILE``.
Each committed start appends the instance id to STARTED_FILE; a start that raised is retried
after a pause (it may or may not have committed: the test counts the rows in the database).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicflow.site.settings")

import django

django.setup()

from django.db import DatabaseError, connection  # noqa: E402

from civicflow.runtime import services  # noqa: E402


def main(process: str, stop: Path, started: Path) -> None:
    with started.open("a") as out:
        while not stop.exists():
            try:
                instance = services.start_instance(process)
            except DatabaseError:
                connection.close()
                time.sleep(0.2)
                continue
            out.write(f"{instance.pk}\n")
            out.flush()
            time.sleep(0.005)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
