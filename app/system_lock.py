"""Lock when the computer sleeps, its screen locks or the user session is switched (issue #14).

Where the operating system says so:

* Linux, system bus (logind): ``org.freedesktop.login1.Manager.PrepareForSleep(true)``,
  ``org.freedesktop.login1.Session.Lock`` and the session's ``Active`` property turning false
  (another user's session took the seat);
* Linux, session bus: ``ActiveChanged(true)`` of the desktop's screen saver (freedesktop,
  GNOME, MATE, Cinnamon);
* every platform: Qt's application state turning ``Suspended``.

Without a bus (CI, a container, Windows, macOS) the D-Bus part is skipped quietly: nothing
else depends on it. Tests hand in a private bus (``dbus-daemon``) for both roles.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import SLOT, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

LOGIN1 = "org.freedesktop.login1"
SCREEN_SAVERS = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver",
                 "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver")


def session_path(session_id: str | None = None) -> str:
    """logind's object path of this login session ("" when unknown: any session).

    The id is escaped as sd-bus does (``_`` plus two hex digits for anything but ASCII
    letters and digits, and for a leading digit): session "2" is ``.../session/_32``.
    """
    sid = session_id if session_id is not None else os.environ.get("XDG_SESSION_ID", "")
    if not sid:
        return ""
    out = []
    for i, ch in enumerate(sid):
        if ch.isascii() and (ch.isalpha() or (ch.isdigit() and i > 0)):
            out.append(ch)
        else:
            out += [f"_{b:02x}" for b in ch.encode()]
    return "/org/freedesktop/login1/session/" + "".join(out)


def _slot(signature: str) -> bytes:
    # The stubs say bytes; PySide wants the str that SLOT() makes.
    return SLOT(signature)  # type: ignore[return-value]


class SystemLockWatcher(QObject):
    """Emits:
    lock_requested(str): why ("sleep", "screen_locked", "session_switched", "suspended").
    """

    lock_requested = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: list[str] = []  # what is being watched, for the log and the tests

    def start(self, system_bus: object | None = None, session_bus: object | None = None,
              session: str | None = None) -> list[str]:
        """Watch every source available; the buses default to the real ones."""
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)
            self.sources.append("qt")
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # pragma: no cover - a build without QtDBus
            log.info("no QtDBus: system lock events are not watched")
            return self.sources
        system = system_bus if system_bus is not None else QDBusConnection.systemBus()
        user = session_bus if session_bus is not None else QDBusConnection.sessionBus()
        path = session_path() if session is None else session
        if isinstance(system, QDBusConnection) and system.isConnected():
            watched = [
                system.connect("", "/org/freedesktop/login1", f"{LOGIN1}.Manager",
                               "PrepareForSleep", self, _slot("on_sleep(bool)")),
                system.connect("", path, f"{LOGIN1}.Session", "Lock", self,
                               _slot("on_session_lock()")),
                system.connect("", path, "org.freedesktop.DBus.Properties",
                               "PropertiesChanged", self,
                               _slot("on_properties_changed(QString,QVariantMap)")),
            ]
            if any(watched):
                self.sources.append("logind")
        if isinstance(user, QDBusConnection) and user.isConnected():
            watched = [user.connect("", "", name, "ActiveChanged", self,
                                    _slot("on_screensaver(bool)")) for name in SCREEN_SAVERS]
            if any(watched):
                self.sources.append("screensaver")
        log.info("system lock events: %s", ", ".join(self.sources) or "none")
        return self.sources

    @Slot(bool)
    def on_sleep(self, starting: bool) -> None:
        if starting:
            self.lock_requested.emit("sleep")

    @Slot()
    def on_session_lock(self) -> None:
        self.lock_requested.emit("screen_locked")

    @Slot(str, "QVariantMap")
    def on_properties_changed(self, interface: str, changed: dict[str, object]) -> None:
        if interface == f"{LOGIN1}.Session" and changed.get("Active") is False:
            self.lock_requested.emit("session_switched")

    @Slot(bool)
    def on_screensaver(self, active: bool) -> None:
        if active:
            self.lock_requested.emit("screen_locked")

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock_requested.emit("suspended")
