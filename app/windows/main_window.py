"""The main window. For now: the shipped instruments and their provenance.

The interview workstation (unlock, cases, interview, review, referral) is issue #5.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QVBoxLayout, QWidget

from screening.instruments import list_instruments


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.setWindowTitle("FieldScreen")
        self.resize(900, 600)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        heading = QLabel("FieldScreen: shipped instruments", central)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(heading)
        self.instruments = QListWidget(central)
        self.instruments.setAccessibleName("Instruments")
        for result in list_instruments():
            ins = result.instrument
            langs = ", ".join(f"{c} ({i.status})" for c, i in ins.languages.items())
            self.instruments.addItem(
                f"{ins.text(ins.title, 'en')} {ins.version} [{ins.validation.status}]  {langs}"
            )
        layout.addWidget(self.instruments)
        self.data_label = QLabel(f"Data folder: {data_dir}", central)
        self.data_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.data_label)
        self.setCentralWidget(central)
