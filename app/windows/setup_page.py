"""New interview: choose the instrument (cards), the languages, interpreter and setting."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import N_, _, language_name, ui_language
from app.viewmodels.setup_vm import COMPANIONS, SetupViewModel
from app.widgets.common import (
    Banner,
    acc,
    heading,
    plain_label,
    refresh_heading,
    set_button,
)
from app.widgets.instrument_card import InstrumentCardWidget

COMPANION_TEXT = {
    "none": N_("Came alone"),
    "present": N_("Someone who came with them is in the room"),
    "separated": N_("Someone came with them and was asked to wait outside"),
}


def companion_warning(held: int, total: int) -> str:
    """What discreet mode does and how to speak with the person alone (officer-side)."""
    if held:
        first = _("Someone who came with the person is in the room. Discreet mode: the "
                  "questions they must not hear are held back (sections held back in this "
                  "questionnaire: {held} of {total}). The result will say the screening is "
                  "incomplete until they are asked.").format(held=held, total=total)
    else:
        first = _("Someone who came with the person is in the room. This questionnaire marks "
                  "nothing as sensitive: every question will be asked in front of them.")
    return "\n".join((first, _(
        "Try to speak with the person alone: say that everyone is interviewed on their own, "
        "or ask the companion to wait outside, for example while they fetch a document. Do "
        "not mention what the questions are about."), _(
        "When the person is alone, choose \u201cThe person is alone now\u201d during the "
        "interview: the held-back questions come back.")))


def case_line(vm: SetupViewModel, *, consent_page: bool = False) -> str:
    """Which case the interview is for, and (for a new case) that nothing is stored yet."""
    if not vm.is_new_case:
        return _("Case {reference}").format(reference=vm.case_reference())
    if consent_page:
        return _("New case: nothing about the person is stored unless they agree here.")
    return _("New case: nothing about the person is stored until they agree on the next "
             "page.")


class SetupPage(QWidget):
    """Emits:
    consent_requested(): go on to the consent step.
    cancelled(): back to the case list.
    """

    consent_requested = Signal()
    cancelled = Signal()

    def __init__(self, vm: SetupViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.cards: list[InstrumentCardWidget] = []
        self._loading = False
        layout = QVBoxLayout(self)
        self.title = heading("", self)
        layout.addWidget(self.title)
        self.case_line = plain_label("", self)
        self.case_line.setObjectName("setupCaseLine")
        layout.addWidget(self.case_line)
        body = QHBoxLayout()
        layout.addLayout(body, 1)

        self.cards_label = plain_label("", self)
        self.cards_area = QScrollArea(self)
        self.cards_area.setWidgetResizable(True)
        self.cards_host = QWidget(self.cards_area)
        self.cards_layout = QVBoxLayout(self.cards_host)
        self.cards_area.setWidget(self.cards_host)
        self.group = QButtonGroup(self)
        # Older versions of an instrument (e.g. the machine-translated one a reviewed version
        # replaces) stay out of the way unless asked for (issue #16).
        self.show_older = QCheckBox(self)
        self.show_older.toggled.connect(lambda _on: self._show_cards())
        left = QVBoxLayout()
        left.addWidget(self.cards_label)
        left.addWidget(self.show_older)
        left.addWidget(self.cards_area, 1)
        body.addLayout(left, 3)

        form = QFormLayout()
        self.respondent = QComboBox(self)
        self.officer = QComboBox(self)
        self.interpreter = QCheckBox(self)
        self.interpreter_language = QLineEdit(self)
        self.same_gender = QCheckBox(self)
        self.private = QCheckBox(self)
        self.companion = QComboBox(self)
        self.location = QLineEdit(self)
        self.labels = {k: plain_label("", self) for k in (
            "respondent", "officer", "interpreter_language", "companion", "location")}
        form.addRow(self.labels["respondent"], self.respondent)
        form.addRow(self.labels["officer"], self.officer)
        form.addRow(self.interpreter)
        form.addRow(self.labels["interpreter_language"], self.interpreter_language)
        form.addRow(self.same_gender)
        form.addRow(self.private)
        form.addRow(self.labels["companion"], self.companion)
        form.addRow(self.labels["location"], self.location)
        for key, widget in (("respondent", self.respondent), ("officer", self.officer),
                            ("interpreter_language", self.interpreter_language),
                            ("companion", self.companion), ("location", self.location)):
            self.labels[key].setBuddy(widget)
        # Officer-side, at once when "in the room" is chosen (issue #14).
        self.companion_warning = Banner("warning", self)
        self.companion_warning.hide()
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.companion_warning)
        right.addStretch(1)
        body.addLayout(right, 2)

        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancelled)
        self.next_button = QPushButton(self)
        self.next_button.clicked.connect(self._next)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)

        self.respondent.currentIndexChanged.connect(self._languages_changed)
        self.officer.currentIndexChanged.connect(self._languages_changed)
        self.interpreter.toggled.connect(self._interpreter_toggled)
        self.companion.currentIndexChanged.connect(self._companion_changed)
        self.retranslate()

    def retranslate(self) -> None:
        refresh_heading(self.title, _("New interview"))
        self.cards_label.setText(_("Questionnaire"))
        set_button(self.show_older, _("Show older versions"))
        self.labels["respondent"].setText(_("Language of the person interviewed"))
        self.labels["officer"].setText(_("Your language (shown beside it)"))
        self.labels["interpreter_language"].setText(_("Interpreter's language"))
        self.labels["companion"].setText(_("Companion"))
        self.labels["location"].setText(_("Where the interview takes place"))
        set_button(self.interpreter, _("An interpreter is helping"))
        set_button(self.same_gender, _("An interviewer of the same gender was offered"))
        set_button(self.private, _("The interview is in a private place"))
        acc(self.respondent, _("Language of the person interviewed"))
        acc(self.officer, _("Your language"))
        acc(self.interpreter_language, _("Interpreter's language"))
        acc(self.companion, _("Companion"))
        acc(self.location, _("Where the interview takes place"))
        acc(self.cards_area, _("Questionnaires"))
        self.companion.blockSignals(True)
        current = self.companion.currentData()
        self.companion.clear()
        for key in COMPANIONS:
            self.companion.addItem(_(COMPANION_TEXT[key]), key)
        self.companion.setCurrentIndex(max(0, self.companion.findData(current or "none")))
        self.companion.blockSignals(False)
        self._show_companion_warning()
        set_button(self.cancel_button, _("Cancel"))
        set_button(self.next_button, _("Continue to consent"))
        if self.vm.setup.instrument_key and self.vm.app_vm.is_open:
            self.load()

    # -- loading ------------------------------------------------------------------------
    def start(self, case_id: str) -> None:
        self.vm.begin(case_id, ui_language().lang)
        self.load()
        if self.cards:
            checked = next((c for c in self.cards if c.radio.isChecked()), self.cards[0])
            checked.radio.setFocus()

    def load(self) -> None:
        self._loading = True
        ui = ui_language().lang
        setup = self.vm.setup
        self.case_line.setText(case_line(self.vm))
        cards = self.vm.cards(ui)
        if [c.card.key for c in self.cards] != [c.key for c in cards]:
            for widget in self.cards:
                self.group.removeButton(widget.radio)
                widget.deleteLater()
            self.cards = []
            for card in cards:
                widget = InstrumentCardWidget(card, self.cards_host)
                widget.chosen.connect(self._instrument_chosen)
                self.group.addButton(widget.radio)
                self.cards_layout.addWidget(widget)
                self.cards.append(widget)
            self.cards_layout.addStretch(1)
        for widget, card in zip(self.cards, cards, strict=True):
            widget.update_texts(card, setup.respondent_language, ui)
            widget.radio.setChecked(card.key == setup.instrument_key)
        self._show_cards()
        chosen = next((c for c in cards if c.key == setup.instrument_key), None)
        for combo, value in ((self.respondent, setup.respondent_language),
                             (self.officer, setup.officer_language)):
            combo.clear()
            for lang in chosen.languages if chosen else ():
                combo.addItem(language_name(lang.code, ui), lang.code)
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.interpreter.setChecked(setup.interpreter_used)
        self.interpreter_language.setText(setup.interpreter_language)
        self.interpreter_language.setEnabled(setup.interpreter_used)
        self.same_gender.setChecked(setup.same_gender_offered)
        self.private.setChecked(setup.private_setting)
        self.companion.setCurrentIndex(max(0, self.companion.findData(setup.companion)))
        self.location.setText(setup.location)
        self.next_button.setEnabled(chosen is not None)
        self._loading = False
        self._show_companion_warning()

    def _show_cards(self) -> None:
        """Every newest version; an older one when asked for, or when it is the chosen one."""
        older = [w for w in self.cards if w.card.newer_version]
        self.show_older.setVisible(bool(older))
        for widget in self.cards:
            widget.setVisible(not widget.card.newer_version or self.show_older.isChecked()
                              or widget.radio.isChecked())

    def _instrument_chosen(self, key: str) -> None:
        if self._loading:
            return
        self._store_fields()
        self.vm.choose_instrument(key, ui_language().lang)
        self.load()

    def _languages_changed(self) -> None:
        if self._loading:
            return
        self._store_fields()
        self.load()

    def _companion_changed(self) -> None:
        if self._loading:
            return
        self._store_fields()
        self._show_companion_warning()

    def _show_companion_warning(self) -> None:
        present = self.companion.currentData() == "present"
        if present:
            self.companion_warning.set_text(companion_warning(*self.vm.held_back_sections()))
        self.companion_warning.setVisible(present)

    def _interpreter_toggled(self, on: bool) -> None:
        self.interpreter_language.setEnabled(on)

    def _store_fields(self) -> None:
        self.vm.update(
            respondent_language=self.respondent.currentData() or self.vm.setup.respondent_language,
            officer_language=self.officer.currentData() or self.vm.setup.officer_language,
            interpreter_used=self.interpreter.isChecked(),
            interpreter_language=self.interpreter_language.text().strip(),
            same_gender_offered=self.same_gender.isChecked(),
            private_setting=self.private.isChecked(),
            companion=self.companion.currentData() or "none",
            location=self.location.text().strip(),
        )

    def _next(self) -> None:
        self._store_fields()
        self.consent_requested.emit()

    def clear_personal_data(self) -> None:
        if self.vm.setup.instrument_key:  # a draft on screen: keep it (no personal data)
            self._store_fields()
        self.location.clear()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.next_button.isEnabled():
            self._next()
            return
        super().keyPressEvent(event)
