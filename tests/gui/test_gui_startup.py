"""`fieldscreen` with no command starts the app (issue #19 made that path skip building the
subcommands): the first window is the one the data folder calls for, starting changes
nothing in the store, and FIELDSCREEN_STARTUP_PROBE=1 (how bench/cold_bench.py times the
frozen app) only reports the first window and quits."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from screening.store import Store
from tests.cli.helpers import PASSPHRASE, ROOT


def _start(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIELDSCREEN_"))}
    env.update({"QT_QPA_PLATFORM": "offscreen", "FIELDSCREEN_STARTUP_PROBE": "1"})
    return subprocess.run([sys.executable, "-m", "screening.cli.main", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "logs" not in p.parts}


@pytest.mark.parametrize("form", ["separate", "equals"])
def test_the_app_opens_on_the_unlock_window_of_an_existing_store(tmp_path: Path,
                                                                form: str) -> None:
    data = tmp_path / "data"
    Store.create(data, PASSPHRASE)[0].close()
    before = _files(data)
    args = ["--data-dir", str(data)] if form == "separate" else [f"--data-dir={data}"]
    done = _start(*args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY UnlockPage"]
    assert _files(data) == before  # nothing written to the store or beside it


def test_an_empty_folder_opens_the_first_run(tmp_path: Path) -> None:
    done = _start("--data-dir", str(tmp_path / "new"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY FirstRunPage"]
    assert not (tmp_path / "new" / "fieldscreen.db").exists()  # the officer creates it


def test_the_data_folder_from_the_environment_is_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.create(data, PASSPHRASE)[0].close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIELDSCREEN_"))}
    env.update({"QT_QPA_PLATFORM": "offscreen", "FIELDSCREEN_STARTUP_PROBE": "1",
                "FIELDSCREEN_DATA_DIR": str(data)})
    done = subprocess.run([sys.executable, "-m", "screening.cli.main"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY UnlockPage"]
