"""Hybrid retrieval: cosine over sentence embeddings plus a saturated BM25 score, and the decision to decline.

The answer is never generated: it is the best passages, quoted as they are. When the best passage
scores under the threshold the assistant says it does not know (and how to contact the agency),
which is also what an out-of-scope question gets: nothing in the guides is close to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from civicflow.assistant._errors import AssistantError
from civicflow.assistant._lexical import Bm25
from civicflow.assistant._passages import LANGUAGES, Passage, language_of

__all__ = ["Answer", "Assistant", "Embedder", "Hit", "LanguageIndex", "RankingOptions", "Vectors"]

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """The port of a sentence embedding model (the real one: civicflow.portal's USE adapter)."""

    @property
    def name(self) -> str:
        """Names the model and its version: cached vectors are keyed by it."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One row per text; rows need not be normalised."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingOptions:
    """Calibrated on tests/fixtures/assistant/questions.yaml (docs/assistant.md has the figures)."""

    lexical_weight: float = 0.5
    lexical_saturation: float = 3.0  # BM25 s -> s / (s + saturation): one rare shared word is not a match
    threshold: float = 0.53  # best score under this: decline
    top: int = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    passage: Passage
    score: float
    semantic: float
    lexical: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The ranked passages for a question; ``answered`` is False when the assistant declines."""

    question: str
    language: str
    hits: tuple[Hit, ...]
    answered: bool
    threshold: float

    @property
    def quoted(self) -> tuple[Hit, ...]:
        """The passages shown to the citizen: the top ones at or above the threshold."""
        return tuple(hit for hit in self.hits if hit.score >= self.threshold) if self.answered else ()


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Vectors = (vectors / norms).astype(np.float32)
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageIndex:
    """The passages of one language with their normalised vectors and a BM25 index over the same texts."""

    passages: tuple[Passage, ...]
    vectors: Vectors  # of each passage's indexed text
    heading_vectors: Vectors  # of each passage's heading (service and title) alone
    bm25: Bm25 = field(repr=False)

    @staticmethod
    def texts(passages: Sequence[Passage]) -> list[str]:
        """What to embed for :meth:`build`: every indexed text, then every heading."""
        return [passage.indexed_text for passage in passages] + [passage.heading_text for passage in passages]

    @classmethod
    def build(cls, passages: Sequence[Passage], vectors: Vectors) -> LanguageIndex:
        """``vectors`` has one row per text of :meth:`texts`, in that order."""
        count = len(passages)
        if vectors.shape[0] != 2 * count:
            raise AssistantError(f"{count} passages need {2 * count} vectors, not {vectors.shape[0]}")
        return cls(
            passages=tuple(passages),
            vectors=_normalise(vectors[:count]),
            heading_vectors=_normalise(vectors[count:]),
            bm25=Bm25([passage.indexed_text for passage in passages]),
        )


class Assistant:
    """Answers questions from one index per language with one embedding model."""

    def __init__(
        self, indexes: Mapping[str, LanguageIndex], embedder: Embedder, options: RankingOptions | None = None
    ) -> None:
        missing = [language for language in LANGUAGES if language not in indexes or not indexes[language].passages]
        if missing:
            raise AssistantError(f"no passages for language {', '.join(missing)}")
        self._indexes = dict(indexes)
        self._embedder = embedder
        self.options = options or RankingOptions()

    def passages(self, language: str) -> tuple[Passage, ...]:
        return self._indexes[language_of(language)].passages

    def ask(self, question: str, *, language: str = "en", service: str | None = None) -> Answer:
        """Rank the passages of ``language`` (of ``service`` and the general ones, when given)."""
        language = language_of(language)
        index = self._indexes[language]
        options = self.options
        text = " ".join(question.split())
        if not text:
            return Answer(question=text, language=language, hits=(), answered=False, threshold=options.threshold)
        query = _normalise(self._embedder.embed([text]))[0]
        # a question close to a heading (an FAQ's own question) is as good as one close to the text
        semantic = np.maximum(index.vectors @ query, index.heading_vectors @ query)
        lexical = index.bm25.scores(text)
        hits = []
        for position, passage in enumerate(index.passages):
            if service is not None and passage.service not in {service, ""}:
                continue
            saturated = lexical[position] / (lexical[position] + options.lexical_saturation)
            cosine = float(semantic[position])
            hits.append(
                Hit(
                    passage=passage,
                    score=cosine + options.lexical_weight * saturated,
                    semantic=cosine,
                    lexical=lexical[position],
                )
            )
        hits.sort(key=lambda hit: (-hit.score, hit.passage.id))
        best = hits[: options.top]
        answered = bool(best) and best[0].score >= options.threshold
        return Answer(
            question=text, language=language, hits=tuple(best), answered=answered, threshold=options.threshold
        )
