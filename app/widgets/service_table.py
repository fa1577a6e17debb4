"""How a directory service reads in the referral screen's and the settings' tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTableWidget, QTableWidgetItem, QWidget

from app.qt_i18n import _, language_name, ui_language
from app.viewmodels.directory import KIND_TEXT, ServiceView
from app.widgets.bidi_view import data
from screening.casework.referrals import labelled_contacts
from screening.reports.directory import NATIONAL


def region_text(region: str) -> str:
    """A service's region as the officer reads it: the directory's code for a service that
    covers the whole country ("national") by name, any other region as written."""
    return _("Whole country") if region == NATIONAL else data(region)


def service_columns(s: ServiceView) -> tuple[str, str, str, str]:
    """Name (marked when it is a placeholder or outside the consent), kind, languages,
    contacts: for the tables. Directory text is isolated (``data``): phone numbers and URLs
    read left to right in the Arabic UI, and a name cannot pull the label around it."""
    ui = ui_language().lang
    name = data(s.name) + (" " + _("(example entry)") if s.example else "")
    if s.outside_consent:  # first, so it shows even when the column cuts the name
        name = "⚠ " + _("Outside the consent: {name}").format(name=name)
    # Translators: the separator between items of a list, e.g. "، " in Arabic.
    langs = _(", ").join(language_name(c, ui) for c in s.languages)
    if s.interpreters:
        # Translators: between groups of languages, e.g. "English (original); Spanish (...)".
        langs = (langs + _("; ") if langs else "") + _("others through interpreters")
    kind = _(KIND_TEXT[s.kind]) if s.kind in KIND_TEXT else s.kind
    return name, kind, langs, contacts_text(s.contacts)


def contacts_text(line: str) -> str:
    """A stored contact line with its kinds in the UI language ("Call: …", not "phone: …"),
    isolated like other directory text."""
    return data(labelled_contacts(line, _))


def table_item(text: str) -> QTableWidgetItem:
    """A cell whose whole text shows as its tooltip (a narrow column cuts it)."""
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def keep_rows(table: QTableWidget, rows: int = 4) -> None:
    """However the page is squeezed (long service notes, a taller script), ``table`` keeps
    its header and ``rows`` rows on screen, and a horizontal scroll bar if it needs one."""
    height = (table.horizontalHeader().sizeHint().height()
              + rows * table.verticalHeader().defaultSectionSize()
              + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth())
    table.setMinimumHeight(height)


def scrolling(widget: QWidget, parent: QWidget) -> QScrollArea:
    """``widget`` (a service's long details) in an area that scrolls rather than squeezing
    the table above it."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    area.viewport().setAutoFillBackground(False)  # the page's own background, as before
    widget.setAutoFillBackground(False)  # setWidget turned it on
    return area
