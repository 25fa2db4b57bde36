"""The real assistant (USE multilingual from its installed package), built once for these tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from civicflow.assistant import Assistant


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    from civicflow.portal import _help_model

    built = _help_model.build_assistant(_help_model.UseEmbedder(), folder=Path(tmp_path_factory.mktemp("vectors")))
    saved = _help_model._ASSISTANT
    _help_model._ASSISTANT = built  # what the portal's views and the CLI use
    yield built
    _help_model._ASSISTANT = saved
