"""Settings › Server: the agency's ODK Central server (address, project, sign-in, keys).

"Test and save" connects once on a worker and stores the settings only when the server
answered as it should; otherwise nothing is stored and the failure is said plainly. A token
or password is never shown back: the field stays empty with "saved" beside it, and typing a
new one replaces it. Everything is kept inside the encrypted store.

The token field also takes the app user's whole link as ODK Central shows it
(``https://host/v1/key/TOKEN/projects/N``): it fills the address, the project and the token.
The agency key, the CA file and sending without encryption are for the technical contact:
they sit in a collapsed "Advanced" part, opened by itself when one of them is set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.qt_i18n import _, ltr
from app.viewmodels.server_vm import (
    ServerForm,
    ServerProblem,
    ServerSummary,
    ServerViewModel,
    key_fingerprint,
    parse_app_user_link,
)
from app.widgets.common import Banner, BusyBar, acc, plain_label, set_button
from app.widgets.passphrase_field import PassphraseField
from app.windows import dialogs
from app.windows.server_texts import details_line, problem_text
from app.windows.settings_tabs import TabPage
from screening.errors import ScreeningError
from screening.server.settings import ca_text, public_key_text

MAX_FILE = 64 * 1024  # a public key or CA file is a few kB; anything bigger is not one


def read_text_file(path: Path) -> str:
    with path.open("rb") as f:
        return f.read(MAX_FILE).decode("ascii", errors="replace")


def _ltr_edit(edit: QLineEdit) -> QLineEdit:
    """Addresses and e-mail addresses read left to right in an Arabic UI too."""
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return edit


class ServerTab(TabPage):
    def __init__(self, vm: ServerViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.summary: ServerSummary | None = None
        self._key: str | None = None  # chosen now: None keeps the saved one, "" removes it
        self._ca: str | None = None
        layout = QVBoxLayout(self)
        self.intro = plain_label("", self)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.url = _ltr_edit(QLineEdit(self))
        self.url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.project = QSpinBox(self)
        self.project.setRange(1, 2**31 - 1)
        self.labels = {"url": self._row(form, self.url), "project": self._row(form,
                                                                              self.project)}
        how = QWidget(self)
        how_row = QHBoxLayout(how)
        how_row.setContentsMargins(0, 0, 0, 0)
        self.app_user = QRadioButton(how)
        self.web_user = QRadioButton(how)
        self.app_user.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.app_user)
        group.addButton(self.web_user)
        how_row.addWidget(self.app_user)
        how_row.addWidget(self.web_user)
        how_row.addStretch(1)
        self.labels["how"] = self._row(form, how)
        self.token = _ltr_edit(QLineEdit(self))
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.textChanged.connect(self._token_changed)
        self.email = _ltr_edit(QLineEdit(self))
        self.password = PassphraseField("", parent=self)
        self.labels["token"] = self._row(form, self.token)
        self.labels["email"] = self._row(form, self.email)
        self.labels["password"] = self._row(form, self.password)
        # Advanced (for the technical contact): collapsed unless one of them is set.
        self.advanced = QPushButton(self)
        self.advanced.setObjectName("serverAdvanced")
        self.advanced.setFlat(True)
        self.advanced.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.advanced_open = False
        self.advanced.clicked.connect(lambda: self.set_advanced(not self.advanced_open))
        form.addRow(self.advanced)
        self.key_state, self.key_choose, self.key_remove = self._file_row(form, "key")
        self.ca_state, self.ca_choose, self.ca_remove = self._file_row(form, "ca")
        self.key_choose.clicked.connect(self._choose_key)
        self.key_remove.clicked.connect(lambda: self._set_key(""))
        self.ca_choose.clicked.connect(self._choose_ca)
        self.ca_remove.clicked.connect(lambda: self._set_ca(""))
        self.plaintext = QCheckBox(self)
        self.plaintext.toggled.connect(self._plaintext_toggled)
        self.plaintext_warning = Banner("warning", self)
        self.plaintext_warning.hide()
        form.addRow(self.plaintext)
        form.addRow(self.plaintext_warning)
        self.form_layout = form
        self.advanced_rows: tuple[QWidget, ...] = (self.labels["key"].buddy(),
                                                   self.labels["ca"].buddy(), self.plaintext)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.forget_button = QPushButton(self)
        self.forget_button.clicked.connect(self._forget)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save)
        self.busy = BusyBar(self)
        row.addWidget(self.forget_button)
        row.addStretch(1)
        row.addWidget(self.busy)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.status = plain_label("", self, selectable=True)
        self.status.setObjectName("serverStatus")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.app_user.toggled.connect(lambda _on: self._auth_fields())
        self.set_advanced(False)
        vm.saved.connect(self._saved)
        vm.save_failed.connect(self._save_failed)

    def _row(self, form: QFormLayout, widget: QWidget) -> QLabel:
        label = plain_label("", self, wrap=False)
        label.setBuddy(widget)
        form.addRow(label, widget)
        return label

    def _file_row(self, form: QFormLayout, name: str) -> tuple[QLabel, QPushButton,
                                                               QPushButton]:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        state = plain_label("", box, selectable=True)
        state.setIndent(8)  # apart from the row's name, in either direction
        choose, remove = QPushButton(box), QPushButton(box)
        row.addWidget(state, 1)
        row.addWidget(choose)
        row.addWidget(remove)
        self.labels[name] = self._row(form, box)
        return state, choose, remove

    def retranslate(self) -> None:
        self.intro.setText(_(
            "Finished interviews can be sent to your agency's ODK Central server, encrypted "
            "on this laptop so that the server cannot read them. Your technical contact gives "
            "you these details. Saving tests the connection first; the settings are kept in "
            "the encrypted data."))
        for key, text in (("url", _("Server address")), ("project", _("Project number")),
                          ("how", _("Sign in as")), ("token", _("App user's token")),
                          ("email", _("Web user's email")), ("password", _("Password")),
                          ("key", _("Agency public key")), ("ca", _("Agency CA file"))):
            self.labels[key].setText(text)
        self.url.setPlaceholderText("https://central.example.org")
        acc(self.url, _("Server address"))
        acc(self.project, _("Project number"))
        set_button(self.app_user, _("App user (token)"))
        set_button(self.web_user, _("Web user (email and password)"))
        acc(self.email, _("Web user's email"))
        self.password.retranslate(_("Password"))
        for button in (self.key_choose, self.ca_choose):
            set_button(button, _("Choose file…"))
        set_button(self.key_remove, _("Remove"), _("Use the key the server gives the form"))
        set_button(self.ca_remove, _("Remove"), _("Use this computer's certificates"))
        set_button(self.plaintext, _("Allow sending to a form without encryption"))
        self.plaintext_warning.set_text(_(
            "Warning: interviews sent to a form without encryption can be read by anyone "
            "who can read the server. Leave this off unless your agency decided otherwise."),
            bold=True)
        set_button(self.forget_button, _("Forget this server…"))
        set_button(self.save_button, _("Test and save"))
        self._secrets_state()
        self._files_state()
        self.set_advanced(self.advanced_open)  # (its triangle follows the direction)

    def load(self) -> None:
        if not self.vm.app_vm.is_open:
            return
        self.summary = s = self.vm.summary()
        self._key = self._ca = None
        self.token.clear()
        self.password.clear()
        self.url.setText(s.url if s else "")
        self.project.setValue(s.project_id if s else 1)
        (self.web_user if s and s.auth == "web_user" else self.app_user).setChecked(True)
        self.email.setText(s.email if s else "")
        self.plaintext.blockSignals(True)
        self.plaintext.setChecked(bool(s and s.allow_plaintext))
        self.plaintext.blockSignals(False)
        self.forget_button.setEnabled(s is not None)
        self.set_advanced(bool(s and (s.key_fingerprint or s.ca_saved or s.allow_plaintext)))
        self._auth_fields()
        self._secrets_state()
        self._files_state()

    def set_advanced(self, on: bool) -> None:
        """Open or fold the part for the technical contact."""
        self.advanced_open = on
        # A disclosure triangle at the start of the line (right in Arabic), pointing the
        # way the text reads while folded.
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        glyph = "▾" if on else ("◂" if rtl else "▸")
        set_button(self.advanced, glyph + " " + _("Advanced (for your technical contact)"),
                   _("The agency's own public key and CA file, and sending without "
                     "encryption"))
        for widget in self.advanced_rows:
            self.form_layout.setRowVisible(widget, on)
        self.form_layout.setRowVisible(self.plaintext_warning,
                                       on and self.plaintext.isChecked())

    def _token_changed(self, text: str) -> None:
        """The app user's link pasted as the token: the address, project and token from it
        (``parse_app_user_link``, the same reading as ``fieldscreen server set``)."""
        try:
            link = parse_app_user_link(text.strip()) if text.strip() else None
        except ScreeningError as exc:  # a link, but not one to use (http:// to a host)
            self.status.setText("✗ " + problem_text(ServerProblem("bad_url", str(exc.code),
                                                                  exc.message)))
            return
        if link is None:
            return
        url, token, project = link
        self.token.blockSignals(True)
        self.token.setText(token)
        self.token.blockSignals(False)
        self.url.setText(url)
        self.project.setValue(project)
        self.app_user.setChecked(True)
        self.status.setText("✓ " + _(
            "Filled in from the app user's link: the address, project {project} and the "
            "token. Test and save to keep them.").format(project=project))

    def _auth_fields(self) -> None:
        app = self.app_user.isChecked()
        for key, widget in (("token", self.token), ("email", self.email),
                            ("password", self.password)):
            shown = app if key == "token" else not app
            widget.setVisible(shown)
            self.labels[key].setVisible(shown)

    def _secrets_state(self) -> None:
        """"Saved" where a secret is kept: the field stays empty, typing replaces it."""
        s = self.summary
        saved = _("Saved. Type a new one to replace it.")
        self.token.setPlaceholderText(saved if s and s.token_saved else _(
            "The token, or the app user's whole link from ODK Central"))
        self.password.edit.setPlaceholderText(saved if s and s.password_saved else "")
        acc(self.token, _("App user's token"), saved if s and s.token_saved else None)

    def _files_state(self) -> None:
        """The agency key and CA file: saved, chosen now (stored with Test and save), or
        none."""
        s = self.summary
        none = _("None: the key the server gives the form is used")
        if self._key:
            key = _("Chosen: fingerprint {fingerprint} (saved with Test and save)").format(
                fingerprint=ltr(key_fingerprint(self._key)))
        elif self._key is None and s is not None and s.key_fingerprint:
            key = _("Saved: fingerprint {fingerprint}").format(
                fingerprint=ltr(s.key_fingerprint))
        else:
            key = none
        self.key_state.setText(key)
        self.key_remove.setEnabled(key != none)
        if self._ca:
            ca = _("Chosen (saved with Test and save)")
        elif self._ca is None and s is not None and s.ca_saved:
            ca = _("Saved")
        else:
            ca = ""
        self.ca_state.setText(ca or _("None: this computer's certificates are used"))
        self.ca_remove.setEnabled(bool(ca))

    def _read(self, title: str, name_filter: str, parse: Callable[[str], str]
              ) -> str | None:
        """A file's content as the CLI reads ``--public-key``/``--ca-file``; what is wrong
        with it is said in the status line."""
        path = dialogs.choose_open_path(self, title, name_filter)
        if path is None:
            return None
        try:
            return parse(read_text_file(path))
        except OSError:
            self.status.setText("✗ " + _("That file could not be read."))
        except ScreeningError as exc:
            self.status.setText("✗ " + _("That file cannot be used.") + "\n" +
                                details_line(exc.message))
        return None

    def _choose_key(self) -> None:
        key = self._read(_("Choose the agency's public key"),
                         _("Public keys (*.pem *.pub *.txt);;All files (*)"), public_key_text)
        if key is not None:
            self._set_key(key)

    def _set_key(self, key: str) -> None:
        self._key = key
        self._files_state()

    def _choose_ca(self) -> None:
        pem = self._read(_("Choose the agency's CA file"),
                         _("Certificates (*.pem *.crt);;All files (*)"), ca_text)
        if pem is not None:
            self._set_ca(pem)

    def _set_ca(self, pem: str) -> None:
        self._ca = pem
        self._files_state()

    def _plaintext_toggled(self, on: bool) -> None:
        self.form_layout.setRowVisible(self.plaintext_warning, on and self.advanced_open)

    def form(self) -> ServerForm:
        return ServerForm(
            url=self.url.text().strip(), project_id=self.project.value(),
            auth="app_user" if self.app_user.isChecked() else "web_user",
            token=self.token.text().strip(), email=self.email.text().strip(),
            password=self.password.text(), public_key=self._key, ca_pem=self._ca,
            allow_plaintext=self.plaintext.isChecked())

    def save(self) -> None:
        if not self.vm.app_vm.is_open:
            return
        self.status.setText(_("Connecting to the server…"))
        self.busy.set_busy(True, _("Connecting to the server…"))
        self.save_button.setEnabled(False)
        self.vm.save(self.form())

    def _saved(self, summary: ServerSummary) -> None:
        self.busy.set_busy(False)
        self.save_button.setEnabled(True)
        self.load()
        name = f" ({summary.project_name})" if summary.project_name else ""
        self.status.setText("✓ " + _("Connected and saved: {host}, project {project}").format(
            host=ltr(summary.host), project=summary.project_id) + name)

    def _save_failed(self, problem: ServerProblem) -> None:
        self.busy.set_busy(False)
        self.save_button.setEnabled(True)
        self.status.setText("✗ " + problem_text(problem) + "\n" + _("Nothing was saved."))

    def _forget(self) -> None:
        if dialogs.ask(self, _("Forget this server?"), _(
                "The address, the sign-in and the keys are removed from this laptop. "
                "Interviews waiting in the queue stay there until a server is set again."),
                _("Forget"), danger=True):
            self.vm.forget()
            self.load()
            self.status.setText("✓ " + _("The server settings were removed."))

    def clear(self) -> None:
        self.token.clear()
        self.password.clear()
        self.status.clear()
