"""``civicflow mine conformance LOG MODEL`` on the running example (BPMN and PNML) and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from civicflow.cli.mine import app
from civicflow.mining import ACTIVITY, EventLog, read_xes, write_xes

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
LOG = str(DATA / "running-example.xes")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("model", ["running-example.bpmn", "running-example.pnml"])
def test_running_example_fits_both_model_formats(model: str) -> None:
    code, out, _ = _run("conformance", LOG, str(DATA / model), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["cases"], report["variants"]) == (6, 6)
    assert report["replay_fitness"] == 1.0
    assert report["average_fitness"] == 1.0
    assert report["fitting_share"] == 1.0
    assert report["deviations"] == []
    assert 0.5 < report["precision"] < 1.0


def test_deviations_are_listed_and_drawn(tmp_path: Path) -> None:
    # the running example's log without "decide", written as XES for the command
    log = read_xes(LOG)
    pruned = EventLog.from_events(log.events.filter(pl.col(ACTIVITY) != "decide"))
    path = tmp_path / "pruned.xes"
    write_xes(pruned, path)
    svg, html = tmp_path / "deviations.svg", tmp_path / "report.html"
    code, out, _ = _run("conformance", str(path), str(DATA / "running-example.bpmn"), "--out", str(svg))
    assert code == 0
    assert "top deviations" in out
    assert "decide" in out
    assert svg.read_text().startswith("<svg")
    assert "decide" in svg.read_text()
    code, _, _ = _run("conformance", str(path), str(DATA / "running-example.bpmn"), "--out", str(html))
    assert code == 0
    page = html.read_text()
    assert "<h1>Conformance: running-example.bpmn</h1>" in page
    assert "model only" in page


@pytest.mark.parametrize(
    ("model", "out", "message"),
    [
        ("model.txt", None, "unsupported model format"),
        ("missing.bpmn", None, "no such file"),
        ("running-example.bpmn", "report.pdf", "--out must end in .svg or .html"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, model: str, out: str | None, message: str) -> None:
    path = DATA / model if (DATA / model).exists() else tmp_path / model
    if model.endswith(".txt"):
        path.write_text("x")
    args = ["conformance", LOG, str(path)] + (["--out", str(tmp_path / out)] if out else [])
    code, _, err = _run(*args)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_broken_bpmn_is_reported_with_its_line(tmp_path: Path) -> None:
    model = tmp_path / "broken.bpmn"
    model.write_text('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<process id="p">')
    code, _, err = _run("conformance", LOG, str(model))
    assert code != 0
    assert "broken.bpmn" in err
    assert "line" in err
