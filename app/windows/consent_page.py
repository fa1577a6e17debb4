"""Consent: the consent text in the person's language (and the officer's), what they agree to."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _, apply_text_language, language_name, ui_language
from app.viewmodels.setup_vm import SetupViewModel
from app.widgets.common import acc, heading, muted, plain_label, refresh_heading, set_button
from app.windows import dialogs
from app.windows.setup_page import case_line
from screening.casework.consent import AGENCY_SERVER, LAW_ENFORCEMENT, REFERRAL, SCREENING


class ConsentPage(QWidget):
    """Emits:
    back_requested(): back to the interview set-up.

    Agreeing or declining goes to the view-model (``start``/``decline``), which records the
    decision through the core and emits ``interview_started`` or ``declined``.
    """

    back_requested = Signal()

    def __init__(self, vm: SetupViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        layout = QVBoxLayout(self)
        self.title = heading("", self)
        self.case_line = plain_label("", self)
        self.case_line.setObjectName("consentCaseLine")
        self.instructions = plain_label("", self)
        layout.addWidget(self.title)
        layout.addWidget(self.case_line)
        layout.addWidget(self.instructions)
        texts = QHBoxLayout()
        self.respondent_lang = plain_label("", self)
        self.respondent_text = plain_label("", self, selectable=True)
        self.officer_lang = plain_label("", self)
        self.officer_text = plain_label("", self, selectable=True)
        for column, (lang_label, text_label) in enumerate(
                ((self.respondent_lang, self.respondent_text),
                 (self.officer_lang, self.officer_text))):
            area = QScrollArea(self)
            area.setWidgetResizable(True)
            host = QWidget(area)
            box = QVBoxLayout(host)
            box.addWidget(lang_label)
            box.addWidget(text_label)
            box.addStretch(1)
            area.setWidget(host)
            texts.addWidget(area, 3 if column == 0 else 2)
            if column == 1:
                self.officer_area = area
        layout.addLayout(texts, 1)

        self.show_officer = QCheckBox(self)
        self.show_officer.setChecked(True)
        self.show_officer.toggled.connect(lambda on: self.officer_area.setVisible(on))
        layout.addWidget(self.show_officer)
        self.agrees = QCheckBox(self)
        self.share_services = QCheckBox(self)
        self.share_police = QCheckBox(self)
        self.confidentiality = QCheckBox(self)
        for check in (self.agrees, self.share_services, self.share_police):
            layout.addWidget(check)
        # Issue #18: a copy on the agency's server, asked only when one is set; the sentence
        # to read in the person's language, the officer's beside it.
        self.share_server = QCheckBox(self)
        self.server_box = QWidget(self)
        server_row = QHBoxLayout(self.server_box)
        server_row.setContentsMargins(24, 0, 0, 0)
        self.server_respondent = plain_label("", self.server_box)
        self.server_respondent.setObjectName("serverConsentRespondent")
        self.server_officer = muted(plain_label("", self.server_box))
        server_row.addWidget(self.server_respondent, 3)
        server_row.addWidget(self.server_officer, 2)
        layout.addWidget(self.share_server)
        layout.addWidget(self.server_box)
        layout.addWidget(self.confidentiality)
        how = QHBoxLayout()
        self.how_label = plain_label("", self, wrap=False)
        self.verbal = QRadioButton(self)
        self.written = QRadioButton(self)
        self.verbal.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.verbal)
        group.addButton(self.written)
        how.addWidget(self.how_label)
        how.addWidget(self.verbal)
        how.addWidget(self.written)
        how.addStretch(1)
        layout.addLayout(how)

        buttons = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.clicked.connect(self.back_requested)
        self.decline_button = QPushButton(self)
        self.decline_button.clicked.connect(self._decline)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.start_interview)
        self.agrees.toggled.connect(self.start_button.setEnabled)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        refresh_heading(self.title, _("Consent"))
        self.instructions.setText(_(
            "Read this to the person in their language, or ask the interpreter to. Make sure "
            "they understood, then record what they agree to. They can stop at any time."))
        set_button(self.show_officer, _("Show it in my language too"))
        set_button(self.agrees, _("The person agrees to answer these questions"))
        set_button(self.share_services, _("The person agrees that the results are shared with "
                                          "support services they choose"))
        set_button(self.share_police, _("The person agrees that the results are shared with "
                                        "law enforcement"))
        set_button(self.share_server, _("The person agrees that a locked (encrypted) copy "
                                        "is kept in the agency's central system"))
        set_button(self.confidentiality, _("Confidentiality and its limits were explained"))
        self.how_label.setText(_("Consent given:"))
        set_button(self.verbal, _("verbally"))
        set_button(self.written, _("in writing"))
        set_button(self.back_button, _("Back"))
        set_button(self.decline_button, _("The person does not agree"))
        set_button(self.start_button, _("Start interview"))
        self.start_button.setEnabled(self.agrees.isChecked())
        if self.vm.setup.instrument_key and self.vm.app_vm.is_open:
            self.load()

    def load(self) -> None:
        self.case_line.setText(case_line(self.vm, consent_page=True))
        consent = self.vm.consent_text()
        ui = ui_language().lang
        self.respondent_lang.setText(language_name(consent.respondent_language, ui))
        self.respondent_text.setText(consent.respondent or _("This questionnaire has no "
                                                             "consent text."))
        apply_text_language(self.respondent_text, consent.respondent_language, factor=1.3)
        self.officer_lang.setText(language_name(consent.officer_language, ui))
        self.officer_text.setText(consent.officer)
        apply_text_language(self.officer_text, consent.officer_language)
        acc(self.respondent_text, _("Consent text in the person's language"))
        acc(self.officer_text, _("Consent text in your language"))
        same = consent.respondent_language == consent.officer_language
        self.show_officer.setVisible(not same)
        self.officer_area.setVisible(not same and self.show_officer.isChecked())
        self._load_server()

    def _load_server(self) -> None:
        text = self.vm.server_consent_text()
        self.share_server.setVisible(text is not None)
        self.server_box.setVisible(text is not None)
        if text is None:
            self.share_server.setChecked(False)
            return
        same = text.respondent_language.split("_")[0] == text.officer_language.split("_")[0]
        if text.respondent:
            self.server_respondent.setText(text.respondent)
            apply_text_language(self.server_respondent, text.respondent_language, factor=1.15)
        else:
            self.server_respondent.setText(_(
                "Not translated into {language}: say it in your own words or through the "
                "interpreter.").format(language=language_name(text.respondent_language,
                                                              ui_language().lang)))
            apply_text_language(self.server_respondent, ui_language().lang)
        acc(self.server_respondent, _("Read this to the person"))
        self.server_officer.setText(text.officer)
        self.server_officer.setVisible(not same or not text.respondent)

    def start(self) -> None:
        for box in (self.agrees, self.share_services, self.share_police, self.share_server,
                    self.confidentiality):
            box.setChecked(False)
        self.verbal.setChecked(True)
        self.load()
        self.agrees.setFocus()

    def scope(self) -> tuple[str, ...]:
        """What the person agreed to beyond the interview ("screening" is always part)."""
        scope = [SCREENING]
        if self.share_services.isChecked():
            scope.append(REFERRAL)
        if self.share_police.isChecked():
            scope.append(LAW_ENFORCEMENT)
        if self.share_server.isChecked() and not self.share_server.isHidden():
            scope.append(AGENCY_SERVER)
        return tuple(scope)

    def _recorded_how(self) -> str:
        return "written" if self.written.isChecked() else "verbal"

    def start_interview(self) -> None:
        if not self.agrees.isChecked():
            return
        self.vm.start(self.scope(), self._recorded_how(), self.confidentiality.isChecked())

    def _decline(self) -> None:
        if self.vm.is_new_case:
            text = _("Nothing about this person will be recorded: no case is created and the "
                     "details you typed are discarded. The audit trail notes only that a "
                     "consent was declined. Offer the person information about where to get "
                     "help if they want it.")
        else:
            text = _("No interview is recorded and the case is not changed. The audit trail "
                     "notes that a consent was declined. Offer the person information about "
                     "where to get help if they want it.")
        if dialogs.ask(self, _("End without an interview?"), text, _("End"), _("Back")):
            self.vm.decline(self._recorded_how())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.start_button.isEnabled():
            self.start_interview()
            return
        super().keyPressEvent(event)

    def clear_personal_data(self) -> None:
        """Consent text is instrument wording, not personal data; nothing to clear."""
