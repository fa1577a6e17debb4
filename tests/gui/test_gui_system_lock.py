"""The app locks when the computer goes to sleep, its screen locks or the session is switched
(issue #14), as the system reports it on D-Bus; without a bus it carries on.

A private ``dbus-daemon`` stands in for both the system and the session bus; the signals are
the ones logind and the desktops' screen savers send.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from guihelp import create_store, make_window, unlock
from PySide6.QtDBus import QDBusConnection, QDBusMessage

from app.system_lock import session_path

SESSION = session_path("7")  # the session this app runs in, for the test
OTHER_SESSION = session_path("8")
LOGIN1 = "/org/freedesktop/login1"


@pytest.fixture
def bus_address(tmp_path: Path) -> Iterator[str]:
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed")
    proc = subprocess.Popen([daemon, "--session", "--nofork", "--print-address",
                             f"--address=unix:path={tmp_path / 'bus'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def _connect(address: str) -> QDBusConnection:
    name = f"fs-test-{uuid.uuid4().hex}"
    bus = QDBusConnection.connectToBus(address, name)
    assert bus.isConnected()
    return bus


def _signal(bus: QDBusConnection, path: str, interface: str, name: str,
            *args: object) -> None:
    message = QDBusMessage.createSignal(path, interface, name)
    message.setArguments(list(args))
    assert bus.send(message)


SIGNALS = {
    "sleep": (LOGIN1, "org.freedesktop.login1.Manager", "PrepareForSleep", True),
    "session lock": (SESSION, "org.freedesktop.login1.Session", "Lock"),
    "session switch": (SESSION, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                       "org.freedesktop.login1.Session", {"Active": False}, ["IdleHint"]),
    "screen saver": ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver",
                     "ActiveChanged", True),
    "GNOME screen saver": ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver",
                           "ActiveChanged", True),
}
HARMLESS = [
    (LOGIN1, "org.freedesktop.login1.Manager", "PrepareForSleep", False),  # waking up
    (OTHER_SESSION, "org.freedesktop.login1.Session", "Lock"),  # someone else's session
    (SESSION, "org.freedesktop.DBus.Properties", "PropertiesChanged",
     "org.freedesktop.login1.Session", {"Active": True}, []),
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged", False),
]


@pytest.mark.parametrize("event", list(SIGNALS))
def test_system_events_lock_the_store(qtbot, data_dir: Path, bus_address: str,
                                      event: str) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    listener, sender = _connect(bus_address), _connect(bus_address)
    sources = window.guard.watch_system(system_bus=listener, session_bus=listener,
                                        session=SESSION)
    assert {"logind", "screensaver"} <= set(sources)
    reasons: list[str] = []
    window.guard.system.lock_requested.connect(reasons.append)
    for harmless in HARMLESS:
        _signal(sender, *harmless)  # type: ignore[arg-type]
    with qtbot.waitSignal(window.app_vm.locked, timeout=5000):
        _signal(sender, *SIGNALS[event])  # type: ignore[arg-type]
    assert len(reasons) == 1  # none of the harmless ones locked
    assert window.stack.currentWidget() is window.unlock_page
    assert window.app_vm.store is None


def test_without_a_bus_nothing_breaks(qtbot, data_dir: Path) -> None:
    create_store(data_dir)
    window = make_window(qtbot, data_dir)
    unlock(qtbot, window)
    nowhere = QDBusConnection(f"fs-test-none-{uuid.uuid4().hex}")  # never connected
    assert window.guard.watch_system(system_bus=nowhere, session_bus=nowhere) == ["qt"]
    assert window.app_vm.is_open


def test_session_paths_are_escaped_as_logind_does() -> None:
    assert session_path("2") == "/org/freedesktop/login1/session/_32"
    assert session_path("c1") == "/org/freedesktop/login1/session/c1"
    assert session_path("") == ""
