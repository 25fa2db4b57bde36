"""The assistant's errors: ``CivicFlowError`` -> ``AssistantError``."""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["AssistantError"]


class AssistantError(CivicFlowError):
    """Bad input to the assistant: an evaluation file, a language, a corpus without passages."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
