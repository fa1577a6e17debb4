"""Process hardening at start: no core dumps, not dumpable (so not ptrace-able by the user's
other processes); best effort, and the CLI and the app both apply it first."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.cli.helpers import PASSPHRASE, ROOT, run_cli

PROBE = textwrap.dedent(
    """
    import resource, sys
    from screening.hardening import harden, is_dumpable
    before = is_dumpable()
    done = harden()
    print(before, done, resource.getrlimit(resource.RLIMIT_CORE), is_dumpable())
    # /proc/self still readable by the process itself afterwards
    open("/proc/self/status").read()
    print(len(__import__("os").listdir("/proc/self/fd")) > 0)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux-only")
def test_harden_in_a_fresh_process() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=ROOT, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "True {'no_core_files': True, 'not_dumpable': True} (0, 0) False"
    assert second == "True"


def test_harden_never_raises_where_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    from screening import hardening

    monkeypatch.setattr(hardening.sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "resource", None)  # import fails, as on Windows
    assert hardening.harden() == {"no_core_files": False, "not_dumpable": False}
    assert hardening.is_dumpable() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")
def test_the_cli_is_hardened_before_it_reads_a_passphrase(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("init", data_dir=data, stdin=PASSPHRASE + "\n").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(SCREENING_DEV="1", FIELDSCREEN_KDF_PROFILE="fast",
               FIELDSCREEN_DATA_DIR=str(data))
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard != resource.RLIM_INFINITY and hard < 1 << 20:
        pytest.skip("core files are already off for this account")

    def allow_cores() -> None:  # so the test fails unless the CLI turns them off itself
        resource.setrlimit(resource.RLIMIT_CORE, (1 << 20, hard))

    # Waits at the passphrase prompt: look at it from outside meanwhile.
    proc = subprocess.Popen([sys.executable, "-m", "screening.cli.main", "check"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True,
                            preexec_fn=allow_cores)
    try:
        core: list[str] = []
        for _ in range(400):
            limits = Path(f"/proc/{proc.pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max core"))
            core = line.split()[4:6]
            if core == ["0", "0"] or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert core == ["0", "0"], core
        _out, err = proc.communicate(PASSPHRASE + "\n", timeout=120)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_app_is_hardened_first(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("PySide6")
    from app import main as app_main

    class Stop(Exception):
        pass

    calls: list[str] = []

    def fake_harden() -> None:
        calls.append("harden")
        raise Stop

    monkeypatch.setattr(app_main, "harden", fake_harden)
    monkeypatch.setattr(app_main, "application", lambda: calls.append("qt"))
    with pytest.raises(Stop):
        app_main.run(None)
    assert calls == ["harden"]
