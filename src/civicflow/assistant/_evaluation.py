"""The evaluation set: questions citizens ask, each with the passage that answers it (or none)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicflow.assistant._errors import AssistantError
from civicflow.assistant._passages import LANGUAGES
from civicflow.assistant._ranking import Answer, Assistant

__all__ = ["Case", "Outcome", "Report", "evaluate", "parse_cases"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A question; ``expected`` are the passage ids that answer it, empty when it is out of scope."""

    question: str
    language: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    case: Case
    answer: Answer
    rank: int | None  # 1-based rank of the first expected passage among the top hits; None if absent

    @property
    def passed(self) -> bool:
        if not self.case.expected:
            return not self.answer.answered
        return self.answer.answered and self.rank is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def in_scope(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.case.expected)

    @property
    def out_of_scope(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.case.expected)

    @property
    def top_hits(self) -> int:
        """In-scope questions whose passage is in the top hits (ranked, whether or not answered)."""
        return sum(1 for outcome in self.in_scope if outcome.rank is not None)

    @property
    def answered_hits(self) -> int:
        """In-scope questions answered (not declined) with their passage among the quotes."""
        return sum(1 for outcome in self.in_scope if outcome.passed)

    @property
    def declined(self) -> int:
        return sum(1 for outcome in self.out_of_scope if not outcome.answer.answered)

    @property
    def hit_rate(self) -> float:
        return self.answered_hits / len(self.in_scope) if self.in_scope else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "in_scope": len(self.in_scope),
            "top3_hits": self.top_hits,
            "answered_with_expected": self.answered_hits,
            "hit_rate": round(self.hit_rate, 4),
            "out_of_scope": len(self.out_of_scope),
            "declined": self.declined,
            "failures": [
                {
                    "question": outcome.case.question,
                    "language": outcome.case.language,
                    "expected": list(outcome.case.expected),
                    "answered": outcome.answer.answered,
                    "top": [[hit.passage.id, round(hit.score, 4)] for hit in outcome.answer.hits],
                }
                for outcome in self.outcomes
                if not outcome.passed
            ],
        }


def parse_cases(data: Any, *, source: str = "") -> tuple[Case, ...]:
    """``{"questions": [{"q", "lang", "expected"}], "out_of_scope": [{"q", "lang"}]}`` -> cases.

    ``expected`` is a passage id, or a list of them when more than one passage answers the question.
    """
    if not isinstance(data, Mapping):
        raise AssistantError("expected a mapping with 'questions' and 'out_of_scope'", source=source)
    cases: list[Case] = []
    for key, scoped in (("questions", True), ("out_of_scope", False)):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise AssistantError(f"'{key}' must be a list", source=source)
        for number, entry in enumerate(entries, start=1):
            cases.append(_case(entry, scoped=scoped, where=f"{key}[{number}]", source=source))
    if not cases:
        raise AssistantError("no questions", source=source)
    return tuple(cases)


def _case(entry: Any, *, scoped: bool, where: str, source: str) -> Case:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("q"), str) or not entry["q"].strip():
        raise AssistantError(f"{where} needs a question 'q'", source=source)
    language = entry.get("lang", "en")
    if language not in LANGUAGES:
        raise AssistantError(f"{where}: language must be one of {', '.join(LANGUAGES)}", source=source)
    if not scoped:
        return Case(question=entry["q"], language=language, expected=())
    expected = entry.get("expected")
    ids: list[Any] = [expected] if isinstance(expected, str) else expected if isinstance(expected, list) else []
    if not ids or not all(isinstance(item, str) and item for item in ids):
        raise AssistantError(f"{where} needs the 'expected' passage id (or a list of them)", source=source)
    return Case(question=entry["q"], language=language, expected=tuple(str(item) for item in ids))


def evaluate(
    assistant: Assistant, cases: Sequence[Case], *, on_answer: Callable[[Case, Answer], None] | None = None
) -> Report:
    """Ask every question; an expected id that no passage has is an error, not a miss."""
    known = {passage.id for language in LANGUAGES for passage in assistant.passages(language)}
    unknown = sorted({pid for case in cases for pid in case.expected if pid not in known})
    if unknown:
        raise AssistantError(f"unknown passage ids: {', '.join(unknown)}")
    outcomes = []
    for case in cases:
        answer = assistant.ask(case.question, language=case.language)
        if on_answer is not None:
            on_answer(case, answer)
        ids = [hit.passage.id for hit in answer.hits]
        rank = next((position for position, pid in enumerate(ids, start=1) if pid in case.expected), None)
        outcomes.append(Outcome(case=case, answer=answer, rank=rank))
    return Report(outcomes=tuple(outcomes))
