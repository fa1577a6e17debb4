"""Fixtures for the encrypted store: a fresh store per test, cheap KDF.

Every test runs against the real SQLCipher library. ``FIELDSCREEN_KDF_PROFILE=fast`` makes
Argon2id nearly free; the store honours it only because pytest sets PYTEST_CURRENT_TEST.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storehelp import PASSPHRASE

from screening.store import Store


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")


@pytest.fixture
def created(data_dir: Path) -> Iterator[tuple[Store, str]]:
    store, recovery_key = Store.create(data_dir, PASSPHRASE)
    yield store, recovery_key
    store.close()


@pytest.fixture
def store(created: tuple[Store, str]) -> Store:
    return created[0]
