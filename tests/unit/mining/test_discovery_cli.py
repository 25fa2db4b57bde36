"""``civicflow mine discover``: tree text and JSON, --noise, and every --out format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import civicflow.bpmn
from civicflow.cli.mine import app
from civicflow.mining import read_pnml, read_xes

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
RUNNING = str(DATA / "running-example.xes")
TEXTBOOK = (
    "->( 'register request', *( ->( +( 'check ticket', X( 'examine casually', 'examine thoroughly' ) ),"
    " 'decide' ), 'reinitiate request' ), X( 'pay compensation', 'reject request' ) )"
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_and_json() -> None:
    code, out, _ = _run("discover", RUNNING)
    assert code == 0
    assert out.splitlines()[0] == TEXTBOOK
    assert out.splitlines()[1].startswith("8 activities, 14 tree nodes; Petri net:")
    code, out, _ = _run("discover", str(DATA / "running-example.csv"), "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["tree"], summary["activities"], summary["noise"], summary["out"]) == (TEXTBOOK, 8, 0.0, None)


def test_noise_simplifies() -> None:
    log = str(DATA / "13_SEPSIS_1t_per_variant.xes.gz")
    plain = json.loads(_run("discover", log, "--json")[1])
    filtered = json.loads(_run("discover", log, "--json", "--noise", "0.2")[1])
    assert filtered["nodes"] < plain["nodes"]


def test_out_formats(tmp_path: Path) -> None:
    for suffix in ("bpmn", "pnml", "svg", "html"):
        target = tmp_path / f"model.{suffix}"
        code, out, _ = _run("discover", RUNNING, "--out", str(target))
        assert code == 0, out
        assert f"written to {target}" in out
    model = civicflow.bpmn.load((tmp_path / "model.bpmn").read_bytes())
    assert model.processes[0].name == "Discovered from running-example.xes"
    assert read_pnml(tmp_path / "model.pnml").labels == set(read_xes(RUNNING).activities)
    assert (tmp_path / "model.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "<h2>Process tree</h2>" in (tmp_path / "model.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "model.png"], "--out must end in .bpmn, .pnml, .svg or .html"),
        (["--noise", "1"], "noise threshold must be at least 0 and below 1"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    code, out, err = _run("discover", RUNNING, *args)
    assert code != 0
    assert message in err + out
