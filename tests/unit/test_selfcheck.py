"""`fieldscreen selfcheck` names what would otherwise fail silently (e.g. text shaping)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, block_harfbuzz: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if block_harfbuzz:
        # A stand-in that fails to import, as in a bundle that lost the module.
        fake = tmp_path / "fake"
        fake.mkdir()
        (fake / "uharfbuzz.py").write_text("raise ImportError('missing for the test')\n")
        env["PYTHONPATH"] = f"{fake}{os.pathsep}{ROOT}"
    return subprocess.run([sys.executable, "-m", "screening.cli.main", "selfcheck"],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)


def test_complete_installation_passes(tmp_path: Path) -> None:
    done = _run(tmp_path, block_harfbuzz=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_missing_text_shaping_is_named(tmp_path: Path) -> None:
    done = _run(tmp_path, block_harfbuzz=True)
    assert done.returncode == 1
    assert "uharfbuzz" in done.stderr and "Traceback" not in done.stderr
