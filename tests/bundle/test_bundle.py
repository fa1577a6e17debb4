"""The built bundle works offline, with no Python and an empty HOME (`make bundle-test`).

Skipped unless FIELDSCREEN_BUNDLE names a built one-folder bundle (dist/fieldscreen).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

BUNDLE = os.environ.get("FIELDSCREEN_BUNDLE")
pytestmark = pytest.mark.skipif(not BUNDLE, reason="set FIELDSCREEN_BUNDLE (make bundle-test)")


PASSPHRASE = "bundle test passphrase, harbour lights 2026"


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
         stdin: str = "") -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    exe = Path(BUNDLE or "").resolve() / "fieldscreen"
    # A clean environment: no PATH to a Python, no PYTHONPATH, an empty HOME. The network
    # is never used by FieldScreen; nothing here needs it.
    clean = {"HOME": str(home), "TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin",
             "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=clean,
                          cwd=home, timeout=300, check=False, input=stdin)


def test_version_names_the_commit(tmp_path: Path) -> None:
    done = _run(tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("FieldScreen ") and "(commit " in done.stdout


def test_demo_makes_a_real_pdf(tmp_path: Path) -> None:
    done = _run(tmp_path, "demo", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    pdf = Path(out["report"]["path"])
    assert pdf.is_file() and Path(out["data_dir"]).parent.parent == tmp_path
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Indicators present" in text and "1-888-373-7888" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    # Columns from the right: object id, generation, uni, sub, emb.
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # all embedded


def test_selfcheck_finds_shaping_fonts_and_schema(tmp_path: Path) -> None:
    done = _run(tmp_path, "selfcheck")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_instruments_are_bundled(tmp_path: Path) -> None:
    done = _run(tmp_path, "instruments", "list", "--json")
    assert done.returncode == 0, done.stderr
    ids = {row["id"] for row in json.loads(done.stdout)}
    assert {"adult_indicators", "youth_quick_screen", "forced_labour_ilo11",
            "safety_triage"} <= ids


def test_the_app_starts_to_its_first_window(tmp_path: Path) -> None:
    # FIELDSCREEN_STARTUP_PROBE=1 (app/main.py): print the first window and quit; how
    # bench/cold_bench.py times the frozen app's start (issue #19).
    data = tmp_path / "data"
    done = _run(tmp_path, "--data-dir", str(data), env={"FIELDSCREEN_STARTUP_PROBE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY FirstRunPage"]
    made = _run(tmp_path, "--data-dir", str(data), "init", stdin=PASSPHRASE + "\n")
    assert made.returncode == 0, made.stderr
    done = _run(tmp_path, "--data-dir", str(data), env={"FIELDSCREEN_STARTUP_PROBE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY UnlockPage"]


def test_gui_screenshots(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    done = _run(tmp_path, "gui", "--screenshots", str(shots), "--lang", "ar")
    assert done.returncode == 0, done.stderr
    pngs = sorted(shots.glob("*.png"))
    assert len(pngs) >= 8
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # Every screen has something on it, except the person's window while paused: blank
        # by design (tests/gui/test_gui_screenshots.py checks it is all one colour).
        if not png.name.endswith("respondent-view-paused.png"):
            assert png.stat().st_size > 5000, png.name
