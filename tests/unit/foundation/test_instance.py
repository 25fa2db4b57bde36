"""The secret key lives in the instance folder, is generated once and is private."""

from __future__ import annotations

import stat
from pathlib import Path

from civicflow.site.instance import instance_dir, secret_key


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    folder = instance_dir({"CIVICFLOW_INSTANCE_DIR": str(tmp_path / "inst")})
    first = secret_key(folder)
    second = secret_key(folder)
    assert first == second
    assert len(first) >= 50
    mode = stat.S_IMODE((folder / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_each_installation_gets_its_own_key(tmp_path: Path) -> None:
    one = secret_key(instance_dir({"CIVICFLOW_INSTANCE_DIR": str(tmp_path / "a")}))
    two = secret_key(instance_dir({"CIVICFLOW_INSTANCE_DIR": str(tmp_path / "b")}))
    assert one != two
