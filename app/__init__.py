"""FieldScreen desktop app (PySide6). ``app.main.run`` is the entry point."""

from app import refcount_guard as _refcount_guard  # noqa: F401 - must run before any Qt call
