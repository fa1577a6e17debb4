"""Run `fieldscreen` as administrators do: a subprocess, exit codes, stdout, stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple 42"


def run_cli(*args: str, data_dir: Path | None = None, stdin: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    full_env["FIELDSCREEN_KDF_PROFILE"] = "fast"  # honoured only under SCREENING_DEV
    full_env["SCREENING_DEV"] = "1"
    if data_dir is not None:
        full_env["FIELDSCREEN_DATA_DIR"] = str(data_dir)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "screening.cli.main", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def device_target(folder: Path) -> Path:
    """A target that is no regular file, for tests that outputs refuse one: ``/dev/null``,
    except as root, where a regression would replace the machine's ``/dev/null`` with a
    regular file (an atomic write renames over it); there a FIFO in ``folder`` stands in."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    fifo = folder / "device-fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    return fifo
