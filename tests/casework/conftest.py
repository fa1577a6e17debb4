"""Casework tests run against the real SQLCipher store with a cheap KDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")


@pytest.fixture
def ws(data_dir: Path) -> Iterator[Workspace]:
    workspace = Workspace(data_dir)
    workspace.create(PASSPHRASE)
    yield workspace
    workspace.close()
