"""`python -m screening.syscheck`: is this machine able to start the Qt GUI?

Qt's own failure is a crash dump that blames the wrong library; this prints one line
naming the Debian/Ubuntu packages to install. It runs Qt in a child process so that the
core package itself never imports Qt.
"""

from __future__ import annotations

import subprocess
import sys

# Library file (as the loader names it) -> Debian package providing it.
_PACKAGES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
}
_BASE = "libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"


def check() -> str | None:
    """Return None when Qt's widgets import, else a one-line instruction."""
    probe = subprocess.run(
        [sys.executable, "-c", "import PySide6.QtWidgets"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode == 0:
        return None
    err = probe.stderr
    missing = sorted({pkg for lib, pkg in _PACKAGES.items() if lib in err})
    if "No module named 'PySide6'" in err:
        return "FieldScreen: PySide6 is not installed; run `make setup`."
    packages = " ".join(missing) if missing else _BASE
    return (
        "FieldScreen cannot start Qt: system libraries are missing. Install them with: "
        f"sudo apt-get install {packages}"
    )


def main() -> int:
    message = check()
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
