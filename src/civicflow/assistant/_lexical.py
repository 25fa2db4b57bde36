"""Okapi BM25 over the passages' words, in English and Dutch.

The embedding model carries the meaning; BM25 rewards the exact words a citizen shares with a
passage ("bezwaar", "fee"), which short questions in Dutch need most. Tokens are case-folded, stripped
of accents and of a few inflection endings, so "kosten"/"kost" and "documents"/"document" meet.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

__all__ = ["Bm25", "tokens"]

_WORD = re.compile(r"[^\W_]+")

# Words that say nothing about the topic of a question; questions are full of them.
_STOPWORD_TEXT = """
    a an and are as at be been being but by can could did do does doing for from had has have how i if in
    into is it its me my of on or our so than that the their them then there these they this to up us was
    we were what when where which who why will with would you your yours am any get got please should
    de het een en of is in op te van voor met aan bij die dat dit er ik je jij u uw mijn wij we zij ze
    hoe wat wie waar wanneer waarom welke welk kan kun kunt moet moeten mag mogen wordt worden ben bent
    zijn was heb hebt heeft hebben ook nog al als dan om naar niet geen over tot door uit zo maar wel
    iets graag me mij ons onze
    maak maakt maken laat laten ga gaat gaan doe doet doen wil wilt willen zou zal komt komen
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Longest first: strip one ending, keep at least four letters.
_ENDINGS = ("ingen", "ing", "en", "es", "ed", "s", "e", "t")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def tokens(text: str) -> list[str]:
    """The searchable words of ``text``: folded, stop words removed, lightly stemmed."""
    folded = (_fold(word) for word in _WORD.findall(text))
    return [_stem(word) for word in folded if word not in _STOPWORDS and not word.isdigit()]


class Bm25:
    """Okapi BM25 (k1 = 1.2, b = 0.75) over a fixed list of documents."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self._k1 = k1
        self._b = b
        self._counts = [Counter(tokens(document)) for document in documents]
        self._lengths = [sum(counts.values()) for counts in self._counts]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(self._counts)
        # the "+1" form keeps every idf positive, so a word in most passages still counts a little
        self._idf = {word: math.log(1 + (total - n + 0.5) / (n + 0.5)) for word, n in frequency.items()}

    def knows(self, word: str) -> bool:
        return word in self._idf

    def scores(self, query: str) -> list[float]:
        """One score per document, in document order (0 where no query word occurs)."""
        words = tokens(query)
        result = []
        for counts, length in zip(self._counts, self._lengths, strict=True):
            score = 0.0
            norm = self._k1 * (1 - self._b + self._b * length / self._average) if self._average else self._k1
            for word in words:
                found = counts.get(word, 0)
                if found:
                    score += self._idf[word] * found * (self._k1 + 1) / (found + norm)
            result.append(score)
        return result
