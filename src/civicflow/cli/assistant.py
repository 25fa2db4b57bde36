"""``civicflow assistant``: the portal's help assistant from the command line (see docs/assistant.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from civicflow.cli._common import fail, print_json, setup_django

__all__ = ["app"]

app = typer.Typer(help="The portal's help assistant: ask it, evaluate it, build its index.", no_args_is_help=True)

_LANG = typer.Option("--lang", help="en or nl: which passages answer (the portal uses the page's language).")


def _assistant() -> Any:
    setup_django()
    from civicflow.portal._help_model import get_assistant

    return get_assistant()


def _hit(hit: Any) -> dict[str, Any]:
    passage = hit.passage
    return {
        "id": passage.id,
        "title": passage.title,
        "text": passage.text,
        "url": passage.url,
        "score": round(hit.score, 4),
        "semantic": round(hit.semantic, 4),
        "lexical": round(hit.lexical, 4),
    }


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, as a citizen would type it.")],
    lang: Annotated[str, _LANG] = "en",
    service: Annotated[str | None, typer.Option(help="Only this service's passages and the general ones.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Answer QUESTION with the passages it would quote, or say that it does not know."""
    from civicflow.assistant import LANGUAGES

    if lang not in LANGUAGES:
        fail(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if not question.strip():
        fail("the question is empty")
    assistant = _assistant()
    from civicflow.portal._guides import GUIDES

    if service is not None and service not in GUIDES:
        fail(f"unknown service {service!r} (known: {', '.join(sorted(GUIDES))})")
    answer = assistant.ask(question, language=lang, service=service)
    if json_output:
        print_json(
            {
                "question": answer.question,
                "language": answer.language,
                "answered": answer.answered,
                "threshold": answer.threshold,
                "quoted": [_hit(hit) for hit in answer.quoted],
                "ranked": [_hit(hit) for hit in answer.hits],
            }
        )
        return
    if not answer.answered:
        typer.echo("I don't know: the guides and FAQs do not answer this. Contact the agency (see /portal/help/).")
        return
    for hit in answer.quoted:
        typer.echo(f'{hit.passage.title} ({hit.passage.id}, score {hit.score:.3f})\n  "{hit.passage.text}"')
        typer.echo(f"  {hit.passage.url}")


@app.command(name="eval")
def evaluate_file(
    file: Annotated[Path, typer.Argument(help="YAML or JSON: questions with expected passage ids, out_of_scope.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Ask every question of FILE: top-3 hit rate of the in-scope ones, declines of the out-of-scope ones."""
    import yaml

    from civicflow.assistant import AssistantError, evaluate, parse_cases

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        cases = parse_cases(data, source=str(file))
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc.strerror if isinstance(exc, OSError) else exc}")
    except yaml.YAMLError as exc:
        fail(f"{file}: not YAML or JSON ({type(exc).__name__})")
    except AssistantError as exc:
        fail(str(exc))
    assistant = _assistant()
    cpu: list[float] = []
    last = [time.process_time()]

    def _timed(case: object, answer: object) -> None:
        now = time.process_time()
        cpu.append(now - last[0])
        last[0] = now

    assistant.ask("warm up", language="en")  # the first call loads the model; not a question's cost
    last[0] = time.process_time()
    try:
        report = evaluate(assistant, cases, on_answer=_timed)
    except AssistantError as exc:
        fail(str(exc))
    figures = report.as_dict()
    figures["cpu_ms_per_question"] = round(1000 * sum(cpu) / len(cpu), 2) if cpu else 0.0
    if json_output:
        print_json(figures)
        return
    typer.echo(
        f"in scope: {figures['top3_hits']}/{figures['in_scope']} with the expected passage in the top 3, "
        f"{figures['answered_with_expected']}/{figures['in_scope']} answered with it "
        f"(hit rate {100 * figures['hit_rate']:.1f}%)"
    )
    typer.echo(f"out of scope: {figures['declined']}/{figures['out_of_scope']} declined")
    typer.echo(f"CPU per question: {figures['cpu_ms_per_question']} ms")
    for failure in figures["failures"]:
        top = ", ".join(f"{pid} {score}" for pid, score in failure["top"])
        expected = ", ".join(failure["expected"]) or "decline"
        typer.echo(f"  miss [{failure['language']}] {failure['question']!r}: expected {expected}; got {top}")


@app.command()
def index() -> None:
    """Embed the passages now and cache the vectors in the instance folder (run at deploy)."""
    start = time.process_time()
    assistant = _assistant()
    from civicflow.portal._help_model import cache_dir

    count = sum(len(assistant.passages(language)) for language in ("en", "nl"))
    typer.echo(f"{count} passages indexed in {time.process_time() - start:.1f} CPU s; cache: {cache_dir()}")
