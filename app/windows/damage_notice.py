"""The notice that the data file is damaged (issue #19).

After every unlock the store checks each page of its file in the background
(``screening/store/pagecheck.py``). If a page fails, or the file cannot be checked at all,
nothing more is saved and nothing leaves the store from then on, and the officer must know
at once and for as long as she works: a strip above every screen, not
a toast she can dismiss and forget. It says what happened, that nothing more is kept, and
what to do. It hides on the unlock and pause screens (the pause screen shows nothing about
the app) and when the store locks; the next unlock finds the damage again at once.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.qt_i18n import _, ltr, ngettext
from app.widgets.common import Banner


class DamageNotice(Banner):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("urgent", parent)
        self.setObjectName("banner_urgent")
        self.pages = 0
        self.unchecked = False
        self.hide()

    @property
    def shown(self) -> bool:
        """Whether there is something to say (damage, or a file that could not be checked)."""
        return bool(self.pages) or self.unchecked

    def set_pages(self, pages: int, *, unchecked: bool = False) -> None:
        """How many pages fail (0: none known), or that the file could not be checked at
        all (treated the same: nothing is saved or leaves the store). Neither: it hides."""
        self.pages = pages
        self.unchecked = unchecked and not pages
        self.retranslate()

    def retranslate(self) -> None:
        if not self.shown:
            return
        where = " › ".join((_("Settings…").rstrip("…"), _("Backup and export"),
                            _("Restore from a backup…")))
        command = ltr("fieldscreen restore")  # the command; the file follows it
        if self.pages:
            lines = (
                ngettext(
                    "Warning: the data file on this computer is damaged: {n} part of it fails "
                    "its check.",
                    "Warning: the data file on this computer is damaged: {n} parts of it fail "
                    "their check.", self.pages).format(n=self.pages),
                # Translators: {where} is the menu path to Restore, {command} the command line.
                _("Nothing more can be saved from now on: new answers and changes are not "
                  "kept, and nothing can be exported, sent or saved as a file. You can still "
                  "read what is here. Do not delete anything. Restore a backup: {where} (or "
                  "{command} on the command line).").format(where=where, command=command),
            )
        else:
            lines = (
                _("Warning: the data file on this computer could not be checked."),
                # Translators: {where} is the menu path to Restore, {command} and {check}
                # are commands typed on the command line.
                _("Until it is, nothing more can be saved: new answers and changes are not "
                  "kept, and nothing can be exported, sent or saved as a file. You can still "
                  "read what is here. Restore a backup: {where} (or {command} on the command "
                  "line), or lock FieldScreen and run {check} on the command line.").format(
                    where=where, command=command, check=ltr("fieldscreen check")),
            )
        self.set_text("\n".join(lines), bold=True)
