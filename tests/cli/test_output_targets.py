"""Issue #13: no command writes its output over the store. A target inside the data folder,
the same file as a store file (through a symlink or a hard link), or a device is refused with
exit 2 before any passphrase is read, and every file of the data folder is left as it was."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from screening.store import Store

from .helpers import PASSPHRASE, device_target, run_cli

EXPORT_PASSWORD = "export tangerine lighthouse 77"
REFERENCE = "OUT-TARGET-1"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One store with one case (made once: a refused command changes nothing), plus links
    from outside into it."""
    root = tmp_path_factory.mktemp("targets")
    data = root / "data"
    done = run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    made = run_cli("cases", "new", "--reference", REFERENCE, data_dir=data,
                   stdin=PASSPHRASE + "\n")
    assert made.returncode == 0, made.stderr
    (data / "logs").mkdir(exist_ok=True)
    outside = root / "outside"
    outside.mkdir()
    # Real inputs, so that only the target can be what is refused.
    made = run_cli("export", "--format", "json", "--encrypt", "-o", str(outside / "export.enc"),
                   data_dir=data, stdin=f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n")
    assert made.returncode == 0, made.stderr
    made = run_cli("instruments", "export-xlsform", "adult_indicators",
                   "-o", str(outside / "form.xlsx"), data_dir=data)
    assert made.returncode == 0, made.stderr
    (outside / "db-symlink.json").symlink_to(data / "fieldscreen.db")
    return {"data": data, "outside": outside}


# name -> (path under the world, what the message says: file command, folder command)
TARGETS = {
    "keyslots": ("data/keyslots.json", "inside FieldScreen's data folder"),
    "database": ("data/fieldscreen.db", "inside FieldScreen's data folder"),
    "symlink-to-db": ("outside/db-symlink.json", "through a symbolic link"),
    "hardlink-to-keyslots": ("outside/keyslots-hardlink.json", "same file as the store's"),
    "in-logs": ("data/logs/out.pdf", "inside FieldScreen's data folder"),
    "device": ("{device}", "not a regular file"),  # /dev/null (see device_target)
}

# command -> (argv with {T} for the target, stdin)
COMMANDS = {
    "export": (["export", "--format", "csv", "--encrypt", "-o", "{T}"],
               f"{PASSPHRASE}\n{EXPORT_PASSWORD}\n"),
    "backup": (["backup", "-o", "{T}"], PASSPHRASE + "\n"),
    "report": (["report", REFERENCE, "--plaintext", "-o", "{T}"], PASSPHRASE + "\n"),
    "instruments-import": (["instruments", "import", "{form}", "--force", "-o", "{T}"], ""),
    "export-xlsform": (["instruments", "export-xlsform", "adult_indicators", "--force",
                        "-o", "{T}"], ""),
    "export-decrypt": (["export-decrypt", "{in}", "-o", "{T}"], EXPORT_PASSWORD + "\n"),
}


def _target(world: dict[str, Path], where: str) -> Path:
    if where == "{device}":
        return device_target(world["outside"])
    path = world["data"].parent / where
    if path.name == "keyslots-hardlink.json":
        # Every unlock rewrites keyslots.json (its anchor), so a link made earlier points at
        # an old copy by now: link the live one.
        path.unlink(missing_ok=True)
        os.link(world["data"] / "keyslots.json", path)
    return path


def _assert_untouched(world: dict[str, Path], before: dict[str, str]) -> None:
    assert _hashes(world["data"]) == before
    with Store.open(world["data"], PASSPHRASE) as store:  # still opens, still holds the case
        assert [c.reference for c in store.cases.list()] == [REFERENCE]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_over_the_store(world: dict[str, Path], command: str,
                                          target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCREEN_KDF_PROFILE", "fast")
    where, reason = TARGETS[target]
    path = _target(world, where)
    argv, stdin = COMMANDS[command]
    inputs = {"in": world["outside"] / "export.enc", "form": world["outside"] / "form.xlsx"}
    argv = [a.format(T=path, **inputs) for a in argv]
    before = _hashes(world["data"])
    done = run_cli(*argv, data_dir=world["data"], stdin=stdin)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"refusing to write {path}" in done.stderr and reason in done.stderr
    assert "Traceback" not in done.stderr
    _assert_untouched(world, before)


def test_screenshots_folder_is_never_the_data_folder(world: dict[str, Path]) -> None:
    """Every target, in-process, is in tests/gui/test_gui_output_targets.py; here the exit
    code, before the app starts."""
    path = world["data"] / "logs"
    before = _hashes(world["data"])
    done = run_cli("gui", "--screenshots", str(path), data_dir=world["data"],
                   env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"refusing to write {path}: it is inside FieldScreen's data folder" in done.stderr
    _assert_untouched(world, before)


def test_the_data_folder_itself_and_a_fifo_are_refused(world: dict[str, Path]) -> None:
    fifo = world["outside"] / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    before = _hashes(world["data"])
    for target, reason in ((world["data"], "inside FieldScreen's data folder"),
                           (fifo, "not a regular file")):
        done = run_cli("backup", "-o", str(target), data_dir=world["data"],
                       stdin=PASSPHRASE + "\n")
        assert done.returncode == 2 and reason in done.stderr, done.stderr
    _assert_untouched(world, before)


def test_an_ordinary_file_outside_is_still_written(world: dict[str, Path]) -> None:
    out = world["outside"] / "cases.json"
    done = run_cli("export", "--format", "json", "-o", str(out), data_dir=world["data"],
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert [c["reference"] for c in json.loads(out.read_text())["cases"]] == [REFERENCE]
