"""``civicflow mine stats|dfg|variants|performance`` on a real CSV log."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from civicflow.cli.mine import app

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
RUNNING = str(DATA / "running-example.csv")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_stats_json() -> None:
    code, out, _ = _run("stats", RUNNING, "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["cases"], stats["events"], stats["variants"]) == (6, 42, 6)
    assert stats["end_activities"] == {"pay compensation": 3, "reject request": 3}


def test_variants_text_and_json() -> None:
    code, out, _ = _run("variants", RUNNING, "--top", "2")
    assert code == 0
    assert out.splitlines()[0] == "6 variants"
    code, out, _ = _run("variants", RUNNING, "--json", "--top", "1")
    assert json.loads(out)["top"][0]["variant"][0] == "register request"


def test_dfg_json_and_svg(tmp_path: Path) -> None:
    svg = tmp_path / "map.svg"
    code, out, _ = _run("dfg", RUNNING, "--json", "--out", str(svg))
    assert code == 0
    graph = json.loads(out)
    assert graph["start_activities"] == {"register request": 6}
    edges = {(e["source"], e["target"]): e["frequency"] for e in graph["edges"]}
    assert edges["register request", "examine casually"] == 3
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}g[@class='activity']")) == 8
    assert len(root.findall(f"{ns}g[@class='edge']")) == len(edges)


def test_dfg_html_has_table(tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    code, _, _ = _run("dfg", RUNNING, "--out", str(page), "--performance")
    assert code == 0
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "<td>register request</td><td>examine casually</td><td>3</td>" in text


def test_performance_json() -> None:
    code, out, _ = _run("performance", RUNNING, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["lifecycle"] is False
    assert report["bottlenecks"][0]["source"] == "decide"
    assert {r["concept:name"] for r in report["rework"]} == {
        "check ticket",
        "decide",
        "examine casually",
        "reinitiate request",
    }


def test_csv_mapping_options(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("id,task,when\n1,a,2024-01-01T10:00:00Z\n1,b,2024-01-01T11:00:00Z\n", encoding="utf-8")
    code, out, _ = _run("stats", str(log), "--case", "id", "--activity", "task", "--timestamp", "when", "--json")
    assert code == 0
    assert json.loads(out)["case_duration"]["max"] == 3600.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "nowhere.csv"), "nowhere.csv: no such file"),
        (("stats", RUNNING, "--case", "nope"), "column nope"),
        (("stats", str(DATA / "running-example.bpmn")), "unsupported log format"),
        (("dfg", RUNNING, "--out", "map.png"), "--out must end in .svg or .html"),
    ],
)
def test_errors_are_one_line(args: tuple[str, ...], message: str) -> None:
    code, _, err = _run(*args)
    assert code == 1
    assert err.startswith("civicflow: error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_bad_timestamp_column_is_named(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case:concept:name,concept:name,time:timestamp\n1,a,yesterday\n", encoding="utf-8")
    code, _, err = _run("stats", str(log))
    assert code == 1
    assert "line 2, row 1, column time:timestamp" in err
