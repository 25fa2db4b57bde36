"""An in-memory embedder for the assistant's unit tests: hashed bags of words, deterministic."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from civicflow.assistant import Vectors, tokens


class BagOfWordsEmbedder:
    """Each token adds one to a hashed dimension: texts sharing words have a positive cosine."""

    name = "bag-of-words/64"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokens(text):
                vectors[row, int(hashlib.sha256(token.encode()).hexdigest(), 16) % 64] += 1.0
        return vectors
