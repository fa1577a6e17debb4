"""Fixtures for the tests against a real ODK Central (tests/server/central.py).

`central` starts PostgreSQL + Central once per test session and stops both at the end. It
skips only when node/npm or PostgreSQL are not installed; if they are and the start fails,
the tests fail with the log tail. `central_project` gives each test a fresh project with
managed encryption and its passphrase. Every test here uses the cheap KDF profile; `ws` is
a new, open workspace.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from screening.workspace import Workspace
from tests.cli.helpers import PASSPHRASE
from tests.server.central import CentralServer, CentralUnavailable


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")


@pytest.fixture
def ws(data_dir: Path) -> Iterator[Workspace]:
    workspace = Workspace(data_dir)
    workspace.create(PASSPHRASE)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def central() -> Iterator[CentralServer]:
    try:
        server = CentralServer()
    except CentralUnavailable as exc:
        pytest.skip(str(exc))
    try:
        server.start()  # CentralError (with the log tail) fails the tests that need it
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class CentralProject:
    id: int
    name: str
    passphrase: str = field(repr=False)  # Central's managed-encryption passphrase


@pytest.fixture
def central_project(central: CentralServer, request: pytest.FixtureRequest) -> CentralProject:
    name = f"{request.node.name[:60]} {secrets.token_hex(3)}"
    passphrase = f"synthetic passphrase {secrets.token_hex(8)}"
    project_id = central.create_project(name, managed_encryption_passphrase=passphrase)
    return CentralProject(project_id, name, passphrase)
