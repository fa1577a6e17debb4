"""``fieldscreen export-decrypt`` killed part-way (issue #19 security review).

The plaintext of an encrypted export must never sit in a file before its tag has verified:
a kill at that point (SIGKILL, a power cut) would leave unauthenticated plaintext behind,
and nothing would ever sweep it. These tests kill a real ``fieldscreen export-decrypt`` of a
multi-MB export at the moment its working files exist and look at what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from screening.store import export as exports
from tests.cli.helpers import ROOT, run_cli

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="watches the child's open files in /proc")

PASSWORD = "export tangerine lighthouse 77"
NAME = b"Quillon Marvetta-Zyx"  # synthetic: on every line, so any piece of plaintext has it
LINE = b'{"name": "Quillon Marvetta-Zyx", "note": "' + b"x" * 200 + b'"},\n'
SIZE = 48 << 20
AT_LEAST = 4 << 20  # how much of its working file the child has written when it is stopped


def _export(folder: Path, *, tamper: bool = False) -> tuple[Path, bytes]:
    data = LINE * (SIZE // len(LINE))

    def produce(out: Any) -> int:
        for start in range(0, len(data), 1 << 20):
            out.write(data[start:start + (1 << 20)])
        return 1

    source = folder / "cases.json.enc"
    exports.write_export_file(source, "json", produce, password=PASSWORD)
    if tamper:  # the last byte of ciphertext: only the tag, at the very end, can tell
        with source.open("r+b") as f:
            f.seek(-17, os.SEEK_END)
            byte = f.read(1)
            f.seek(-17, os.SEEK_END)
            f.write(bytes([byte[0] ^ 1]))
    return source, data


def _start(source: Path, out: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(FIELDSCREEN_KDF_PROFILE="fast", SCREENING_DEV="1",
               FIELDSCREEN_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        [sys.executable, "-m", "screening.cli.main", "export-decrypt", str(source),
         "-o", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
        env=env)
    assert child.stdin is not None
    child.stdin.write(PASSWORD.encode() + b"\n")
    child.stdin.close()
    return child


def _working_files(pid: int, folder: Path) -> dict[str, int]:
    """The child's files in ``folder`` and their sizes: named ones, and unnamed ones it
    holds open (``(deleted)``: a spool), by the link /proc shows."""
    found: dict[str, int] = {}
    for entry in os.scandir(folder):
        found[entry.name] = entry.stat(follow_symlinks=False).st_size
    with os.scandir(f"/proc/{pid}/fd") as fds:
        for fd in fds:
            try:
                link = os.readlink(fd.path)
                if link.startswith(f"{folder}/") and link.endswith("(deleted)"):
                    found[link] = os.stat(fd.path).st_size
            except OSError:  # closed meanwhile
                continue
    return found


def _stop_when(child: subprocess.Popen[bytes], folder: Path,
               ready: Any) -> dict[str, int] | None:
    """SIGSTOP the child as soon as ``ready(files)``; the files it had then (frozen), or
    None if it finished first."""
    while child.poll() is None:
        try:
            files = _working_files(child.pid, folder)
        except FileNotFoundError:  # it exited between poll and scandir
            break
        if ready(files):
            os.kill(child.pid, signal.SIGSTOP)
            return _working_files(child.pid, folder)
        time.sleep(0.0005)
    return None


def _kill(child: subprocess.Popen[bytes]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)


def _holding_plaintext(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if NAME in p.read_bytes())


@pytest.mark.parametrize("tamper", [False, True], ids=["sound", "tampered"])
def test_a_kill_before_the_tag_verified_leaves_no_plaintext(tmp_path: Path,
                                                            tamper: bool) -> None:
    source, data = _export(tmp_path, tamper=tamper)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cases.json"
    for _attempt in range(3):
        child = _start(source, out, tmp_path / "data")
        frozen = _stop_when(child, folder, lambda files: any(
            size >= AT_LEAST for size in files.values()))
        if frozen is None:  # it finished before it was seen working: try again
            child.wait(timeout=30)
            for leftover in folder.iterdir():
                leftover.unlink()
            continue
        try:
            # Stopped half-way through the ciphertext, before the tag could be checked.
            assert sum(frozen.values()) < len(data), frozen
            assert _holding_plaintext(folder) == [], frozen
        finally:
            _kill(child)
        assert _holding_plaintext(folder) == []
        assert sorted(p.name for p in folder.iterdir()) == []  # the spool had no name
        return
    pytest.fail("the child finished three times before it could be stopped")


def test_a_kill_during_the_final_copy_is_swept_by_the_next_run(tmp_path: Path) -> None:
    source, data = _export(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cases.json"
    for _attempt in range(3):
        child = _start(source, out, tmp_path / "data")
        frozen = _stop_when(child, folder, lambda files: any(
            name.startswith(".cases.json.") and size > 0 for name, size in files.items()))
        if frozen is None:
            child.wait(timeout=30)
            out.unlink()
            continue
        _kill(child)
        (left,) = folder.iterdir()  # a partial temporary of the verified plaintext
        assert left.name.startswith(".cases.json.") and left.name.endswith(".tmp")
        assert data.startswith(left.read_bytes())
        done = run_cli("export-decrypt", str(source), "-o", str(out), stdin=PASSWORD + "\n",
                       data_dir=tmp_path / "data")
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["cases.json"]  # swept
        assert out.read_bytes() == data  # byte for byte
        return
    pytest.fail("the child finished three times before it could be stopped")


def test_only_this_outputs_temporaries_from_before_this_process_are_swept(
    tmp_path: Path
) -> None:
    source, data = _export(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cases.json"
    before = exports._LOADED_AT - 5
    old = folder / ".cases.json.0123abcd.tmp"  # a killed run's, before this process began
    fresh = folder / ".cases.json.89abcdef.tmp"  # one being written now: kept
    others = [folder / ".other.json.0123abcd.tmp", folder / "cases.json.tmp",
              folder / ".cases.json.tmp"]  # not this output's pattern: the user's files
    for path in [old, fresh, *others]:
        path.write_bytes(b"partial")
    for path in [old, *others]:
        os.utime(path, (before, before))
    assert exports.decrypt_export_file(source, out, PASSWORD) == "json"
    assert out.read_bytes() == data
    assert not old.exists()
    assert fresh.exists() and all(p.exists() for p in others)
