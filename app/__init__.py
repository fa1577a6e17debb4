"""FieldScreen desktop app (PySide6). ``app.main.run`` is the entry point."""
