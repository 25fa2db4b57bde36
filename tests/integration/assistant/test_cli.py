"""``civicflow assistant ask|eval|index``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from civicflow.assistant import Assistant
from civicflow.cli.app import app

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "assistant"


def test_ask_prints_the_quoted_passages_as_json(real_assistant: Assistant) -> None:
    result = CliRunner().invoke(
        app, ["assistant", "ask", "hoe lang duurt een omgevingsvergunning?", "--lang", "nl", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["answered"] is True
    assert answer["language"] == "nl"
    assert answer["quoted"][0]["id"] in {"building_permit.faq.time", "building_permit.guide.time"}
    assert answer["quoted"][0]["url"].startswith("/portal/building_permit/")
    assert len(answer["ranked"]) == 3


def test_ask_says_plainly_when_it_does_not_know(real_assistant: Assistant) -> None:
    result = CliRunner().invoke(app, ["assistant", "ask", "what is the capital of Australia?"])
    assert result.exit_code == 0
    assert result.stdout.startswith("I don't know")


def test_eval_prints_the_figures(real_assistant: Assistant) -> None:
    result = CliRunner().invoke(app, ["assistant", "eval", str(FIXTURES / "questions.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["in_scope"] >= 30
    assert figures["hit_rate"] >= 0.9
    assert figures["declined"] == figures["out_of_scope"]
    assert figures["cpu_ms_per_question"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "fee", "--lang", "de"], "--lang must be one of en, nl"),
        (["ask", "  "], "the question is empty"),
        (["ask", "fee", "--service", "nope"], "unknown service 'nope'"),
        (["eval", "/nonexistent/q.yaml"], "cannot read /nonexistent/q.yaml"),
    ],
)
def test_bad_input_is_a_one_line_error(real_assistant: Assistant, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["assistant", *args])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("civicflow: error:")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_eval_refuses_a_file_without_questions_or_with_unknown_ids(real_assistant: Assistant, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("questions: []\n")
    result = CliRunner().invoke(app, ["assistant", "eval", str(empty)])
    assert result.exit_code == 1
    assert "no questions" in result.stderr
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text('questions: [{q: "fee?", expected: nowhere.faq.x}]\n')
    result = CliRunner().invoke(app, ["assistant", "eval", str(unknown)])
    assert result.exit_code == 1
    assert "unknown passage ids: nowhere.faq.x" in result.stderr


def test_index_builds_the_vector_cache(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicflow.portal import _help_model

    settings.INSTANCE_DIR = tmp_path
    monkeypatch.setattr(_help_model, "_ASSISTANT", None)  # a process that has not answered yet
    result = CliRunner().invoke(app, ["assistant", "index"])
    assert result.exit_code == 0, result.output
    assert "84 passages indexed" in result.stdout
    assert len(sorted((tmp_path / "assistant").glob("*.npy"))) == 2  # one per language
