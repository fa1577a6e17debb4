"""A missing Qt system library gives one line naming the Debian packages, not a crash dump."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_with_fake_qt(tmp_path: Path, error: str) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake" / "PySide6"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "QtWidgets.py").write_text(f"raise ImportError({error!r})\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=f"{fake.parent}{os.pathsep}{ROOT}")
    return subprocess.run([sys.executable, "-m", "screening.syscheck"], capture_output=True,
                          text=True, env=env, cwd=ROOT, check=False)


def test_missing_libgl_names_the_package(tmp_path: Path) -> None:
    done = _run_with_fake_qt(tmp_path, "libGL.so.1: cannot open shared object file")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("sudo apt-get install libgl1")


def test_unknown_qt_failure_lists_the_usual_packages(tmp_path: Path) -> None:
    done = _run_with_fake_qt(tmp_path, "something odd")
    assert done.returncode == 1
    assert "libgl1 libegl1 libxkbcommon0" in done.stderr
    assert "Traceback" not in done.stderr


def test_working_qt_passes() -> None:
    done = subprocess.run([sys.executable, "-m", "screening.syscheck"], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr


def test_missing_x11_plugin_library_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing QtWidgets works without them; the window would abort naming only one."""
    from screening import syscheck

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(syscheck, "_XCB", {"libfieldscreen-absent.so.9": "libabsent9",
                                           "libc.so.6": "libc6"})
    assert syscheck.missing_xcb_packages() == ["libabsent9"]
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert syscheck.missing_xcb_packages() == []
