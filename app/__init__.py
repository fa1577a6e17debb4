"""FieldScreen's desktop app (PySide6). Imports `screening`; `screening` never imports it."""
