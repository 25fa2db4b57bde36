"""``civicflow mine`` on OCEL logs (--object-type) and ``civicflow mine convert``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicflow.cli.mine import app
from civicflow.mining import read_csv, read_ocel_json, read_ocel_sqlite, read_parquet, read_xes
from civicflow.mining._csv import ColumnMapping

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared event logs not found at {DATA}")
OCEL = str(DATA / "ocel20_example.jsonocel")
RUNNING = str(DATA / "running-example.xes")
XES_NAMES = ColumnMapping(case="case:concept:name", activity="concept:name", timestamp="time:timestamp")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_stats_on_ocel_flattened_per_object_type() -> None:
    code, out, _ = _run("stats", OCEL, "--object-type", "Purchase Order", "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["cases"], stats["events"]) == (2, 5)


def test_ocel_without_object_type_lists_the_types() -> None:
    code, _, err = _run("variants", OCEL)
    assert code == 1
    assert err.strip() == (
        f"civicflow: error: {OCEL}: an OCEL log needs --object-type "
        "(one of Invoice, Payment, Purchase Order, Purchase Requisition)"
    )
    code, _, err = _run("variants", OCEL, "--object-type", "Order")
    assert code == 1
    assert "no object type 'Order'" in err


def test_convert_xes_to_every_format(tmp_path: Path) -> None:
    original = read_xes(RUNNING)
    for name in ("l.csv", "l.parquet", "l.xes.gz", "l.jsonocel", "l.xmlocel", "l.sqlite"):
        code, out, err = _run("convert", RUNNING, str(tmp_path / name))
        assert (code, err) == (0, "")
        assert out.strip().startswith(str(tmp_path / name))
    assert read_csv(tmp_path / "l.csv", XES_NAMES).event_count == original.event_count
    assert read_parquet(tmp_path / "l.parquet", XES_NAMES).case_count == original.case_count
    assert read_xes(tmp_path / "l.xes.gz").event_count == original.event_count
    ocel = read_ocel_json(tmp_path / "l.jsonocel")
    assert (ocel.events.height, ocel.objects.height) == (42, 6)
    with sqlite3.connect(tmp_path / "l.sqlite") as connection:
        assert read_ocel_sqlite(connection).equals(ocel)
    connection.close()
    # And back: the OCEL files flatten to the same cases.
    code, out, _ = _run("stats", str(tmp_path / "l.xmlocel"), "--object-type", "case", "--json")
    assert (code, json.loads(out)["cases"], json.loads(out)["events"]) == (0, 6, 42)
    code, out, _ = _run("stats", str(tmp_path / "l.sqlite"), "--object-type", "case", "--json")
    assert (code, json.loads(out)["events"]) == (0, 42)


def test_convert_ocel_between_ocel_formats_and_flattened(tmp_path: Path) -> None:
    code, _, _ = _run("convert", OCEL, str(tmp_path / "copy.xmlocel"))
    assert code == 0
    code, _, _ = _run("convert", str(tmp_path / "copy.xmlocel"), str(tmp_path / "copy.jsonocel"))
    assert code == 0
    assert read_ocel_json(tmp_path / "copy.jsonocel").equals(read_ocel_json(OCEL))
    code, out, _ = _run("convert", OCEL, str(tmp_path / "po.csv"), "--object-type", "Purchase Order")
    assert (code, out.strip()) == (0, f"{tmp_path / 'po.csv'}: 2 cases, 5 events")
    code, _, err = _run("convert", OCEL, str(tmp_path / "po.xes"))
    assert code == 1
    assert "needs --object-type" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("out.txt", "unsupported output format"),
        ("missing/out.csv", "cannot write"),
    ],
)
def test_convert_errors_are_one_line(tmp_path: Path, target: str, message: str) -> None:
    code, _, err = _run("convert", RUNNING, str(tmp_path / target))
    assert code == 1
    assert message in err
    assert err.count("\n") == 1


def test_sqlite_target_must_be_new(tmp_path: Path) -> None:
    (tmp_path / "l.sqlite").write_bytes(b"")
    code, _, err = _run("convert", RUNNING, str(tmp_path / "l.sqlite"))
    assert code == 1
    assert "already exists" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just text", "not a readable OCEL SQLite database (file is not a database)"),
        (b"", "not an OCEL 2.0 database: missing table(s) event, object, event_object"),
    ],
)
def test_bad_sqlite_source_names_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.sqlite"
    path.write_bytes(content)
    code, _, err = _run("stats", str(path), "--object-type", "case")
    assert code == 1
    assert err.startswith(f"civicflow: error: {path}")
    assert message in err
