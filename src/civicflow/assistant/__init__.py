"""civicflow.assistant: the portal's help assistant, answering only from the service guides and FAQs.

Pure core: passages come in as data, the embedding model through the :class:`Embedder` port, and
the answer is the best passages quoted verbatim, or a plain "I don't know". The portal supplies the
passages, the real model (USE multilingual, shipped as a Python package) and the on-disk cache.
See docs/assistant.md.
"""

from civicflow.assistant._errors import AssistantError
from civicflow.assistant._evaluation import Case, Outcome, Report, evaluate, parse_cases
from civicflow.assistant._lexical import Bm25, tokens
from civicflow.assistant._passages import LANGUAGES, Passage, content_hash, language_of
from civicflow.assistant._ranking import Answer, Assistant, Embedder, Hit, LanguageIndex, RankingOptions, Vectors

__all__ = [
    "LANGUAGES",
    "Answer",
    "Assistant",
    "AssistantError",
    "Bm25",
    "Case",
    "Embedder",
    "Hit",
    "LanguageIndex",
    "Outcome",
    "Passage",
    "RankingOptions",
    "Report",
    "Vectors",
    "content_hash",
    "evaluate",
    "language_of",
    "parse_cases",
    "tokens",
]
