"""Global fixtures: every test gets its own throw-away data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/factories.py


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("FIELDSCREEN_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never touch the developer's real data folder from a test.
    monkeypatch.setenv("FIELDSCREEN_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
