"""`civicflow demo load` with the same seed makes the same history, in any process.

Each load runs in its own process on its own SQLite file, with its own PYTHONHASHSEED: string
hashing (set and dict order) and the uuid4 instance ids differ between the loads, and must not
show in the history. They once did: the worker's batch stepped its instances in the order the
database returned their rows, which for uuid keys is a new order every run, so tasks and message
waits got their ids, and with them their draws from the seeded generator, in that order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Loads ``cases`` cases of every reference service over ``months`` into a fresh database and
# prints each case (its case number, start, end, status, variables and history events in order),
# sorted by case number. Instance ids (uuid4) are left out: they name a case, they are not its history.
_LOAD_AND_DUMP = """
import json, random, sys
from datetime import UTC, datetime

import django

django.setup()
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
from civicflow.runtime import services
from civicflow.runtime.demo import load
from civicflow.runtime.models import HistoryEvent, ProcessInstance

seed, cases, months = map(int, sys.argv[1:4])
load(cases, rng=random.Random(seed), start=datetime(2025, 1, 6, tzinfo=UTC), months=months)
dump = []
for instance in ProcessInstance.objects.all():
    variables = services.variables(instance.pk)
    key = variables.get("caseNumber") or variables.get("claimId") or variables.get("transferId")
    events = HistoryEvent.objects.filter(instance=instance).order_by("seq")
    history = [[e.element_id, e.type, e.timestamp.isoformat()] for e in events]
    ended = instance.ended and instance.ended.isoformat()
    dump.append([key, instance.started.isoformat(), ended, instance.status, variables, history])
dump.sort(key=lambda case: str(case[0]))
json.dump(dump, sys.stdout, sort_keys=True, default=str)
"""

# 150 cases in one month: enough arrivals per simulated hour that the old batch order changed
# the history in every one of six trial loads.
_CASES = 150
_MONTHS = 1


def _start(tmp_path: Path, name: str, *, seed: int, hash_seed: int) -> subprocess.Popen[str]:
    folder = tmp_path / name
    folder.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONHASHSEED": str(hash_seed),
        "DJANGO_SETTINGS_MODULE": "civicflow.site.settings",
        "CIVICFLOW_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CIVICFLOW_INSTANCE_DIR": str(folder / "instance"),
    }
    args = [sys.executable, "-c", _LOAD_AND_DUMP, str(seed), str(_CASES), str(_MONTHS)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _dump(process: subprocess.Popen[str]) -> list[Any]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    dump: list[Any] = json.loads(out)
    return dump


def _first_difference(a: list[Any], b: list[Any]) -> str:
    for left, right in zip(a, b, strict=False):
        if left != right:
            for at, (x, y) in enumerate(zip(left[5], right[5], strict=False)):
                if x != y:
                    return f"case {left[0]}, history event {at}: {x} != {y}"
            return f"case {left[0]}: {left[:5]} != {right[:5]} ({len(left[5])} != {len(right[5])} events)"
    return f"{len(a)} cases != {len(b)} cases"


@pytest.mark.slow
def test_demo_load_with_the_same_seed_makes_the_same_history_in_other_processes(tmp_path: Path) -> None:
    # the three loads run side by side: each is its own process and database
    first = _start(tmp_path, "first", seed=1, hash_seed=1)
    again = _start(tmp_path, "again", seed=1, hash_seed=2)
    other = _start(tmp_path, "other", seed=2, hash_seed=1)
    one, two, three = _dump(first), _dump(again), _dump(other)
    assert len(one) == _CASES
    assert sum(len(case[5]) for case in one) > _CASES * 10  # real history, not just starts
    assert one == two, _first_difference(one, two)
    assert one != three  # another seed: another history
