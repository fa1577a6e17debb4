"""`python -m screening.syscheck`: is this machine able to start the Qt GUI?

Qt's own failure is a crash dump that blames the wrong library; this prints one line
naming the Debian/Ubuntu packages to install. It runs Qt in a child process so that the
core package itself never imports Qt.
"""

from __future__ import annotations

import ctypes
import os
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
# What Qt's X11 ("xcb") platform plugin loads when a window opens; importing QtWidgets does
# not load them, so they are checked one by one (Qt itself aborts naming only the first).
_XCB = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _uses_xcb() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return sys.platform.startswith("linux") and not os.environ.get("WAYLAND_DISPLAY")


def missing_xcb_packages() -> list[str]:
    """Debian packages of the X11 plugin's libraries that this machine lacks."""
    if not _uses_xcb():
        return []
    missing = []
    for lib, package in _XCB.items():
        try:
            ctypes.CDLL(lib)
        except OSError:
            missing.append(package)
    return missing


def check() -> str | None:
    """Return None when Qt's widgets import, else a one-line instruction."""
    probe = subprocess.run(
        [sys.executable, "-c", "import PySide6.QtWidgets"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode == 0:
        xcb = missing_xcb_packages()
        if not xcb:
            return None
        return ("FieldScreen cannot open a window: Qt's X11 libraries are missing. Install "
                f"them with: sudo apt-get install {' '.join(xcb)}")
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
